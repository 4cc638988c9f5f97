using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// One grammar for every id the API takes or makes: 1–128 characters of <c>A–Z a–z 0–9 . _ : -</c>. Anything else is
/// a 400 with the reason, before any grain is called; a well-formed id that names no task is a 404.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TaskIdTests(ApiCluster fixture)
{
    private readonly HttpClient _http = fixture.Http;

    /// <summary>Path segments as sent (percent-encoded where the character needs it).</summary>
    private static readonly string[] Malformed =
    [
        "%20",                          // whitespace only: answered 500 before the grammar
        "%20%20%09",
        "a%20b",
        // %00 is not here: the server refuses a NUL in the path before the app sees it (TestServer throws, Kestrel
        // answers 400); HostileInputTests sends it.
        "caf%C3%A9",                    // é: not in the grammar
        "a%E2%80%8Bb",                  // zero-width space
        "a%E2%80%AEb",                  // right-to-left override
        "%ED%A0%80",                    // an encoded lone surrogate (not valid UTF-8)
        "a%2Fb",                        // an encoded slash
        "a%25b",
        "a%2Bb",
        new string('a', 129),
        new string('x', 5000),
    ];

    private static readonly (string Method, string Route)[] IdRoutes =
    [
        ("GET", "/api/tasks/{0}"),
        ("GET", "/api/tasks/{0}/wait?timeout=0"),
        ("GET", "/api/tasks/{0}/events"),
        ("POST", "/api/tasks/{0}/cancel"),
        ("POST", "/api/tasks/{0}/retry"),
    ];

    public static TheoryData<string, string> Routes()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, route) in IdRoutes)
        {
            data.Add(method, route);
        }

        return data;
    }

    public static TheoryData<string, string, string> MalformedIdOnEveryRoute()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, route) in IdRoutes)
        {
            foreach (var id in Malformed)
            {
                data.Add(method, route, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedIdOnEveryRoute))]
    public async Task A_malformed_id_is_a_400_that_names_the_grammar_on_every_route(string method, string route, string id)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await TaskApiTests.AssertProblem(response, HttpStatusCode.BadRequest, "1–128 characters");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_well_formed_id_that_names_no_task_is_a_404(string method, string route)
    {
        var id = "no-such.task_" + Guid.NewGuid().ToString("N") + ":x";
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await TaskApiTests.AssertProblem(response, HttpStatusCode.NotFound, id);
    }

    [Theory]
    [InlineData("[\"a b\"]", 0)]
    [InlineData("[\"ok-1\",\" \"]", 1)]
    [InlineData("[\"ok-1\",\"caf\u00e9\"]", 1)]
    [InlineData("[\"ok-1\",\"a\\u200Bb\"]", 1)]
    [InlineData("[\"a/b\"]", 0)]
    public async Task A_malformed_dependency_id_refuses_a_submit_and_a_batch_and_creates_nothing(string dependsOn, int badEntry)
    {
        var before = await fixture.ParkedCount();
        var body = $$"""{"type":"echo","queue":"parked","dependsOn":{{dependsOn}}}""";

        using var single = await _http.PostAsync("/api/tasks", TaskApiTests.Json(body));
        await TaskApiTests.AssertProblem(single, HttpStatusCode.BadRequest, $"dependsOn[{badEntry}]");

        using var batch = await _http.PostAsync("/api/tasks/batch", TaskApiTests.Json($$"""{"tasks":[{"type":"echo","queue":"parked"},{{body}}]}"""));
        await TaskApiTests.AssertProblem(batch, HttpStatusCode.BadRequest, $"dependsOn[{badEntry}]");
        using var problem = JsonDocument.Parse(await batch.Content.ReadAsStringAsync());
        Assert.Equal(1, problem.RootElement.GetProperty("index").GetInt32());

        Assert.Equal(before, await fixture.ParkedCount());
    }

    [Fact]
    public async Task The_grain_refuses_a_malformed_dependency_id_too()
    {
        var result = await fixture.Engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "parked", DependsOn = ["fine", "not fine"] });

        Assert.Equal(SubmitOutcome.Invalid, result.Outcome);
        Assert.Contains("dependsOn[1]", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("\u00e9")]
    [InlineData("")]
    public async Task The_cluster_client_refuses_a_malformed_id_before_it_calls_a_grain(string id)
    {
        var engine = new TaskEngineClusterClient(NoGrainsFactory.Create());

        foreach (var call in new Func<Task>[]
        {
            () => engine.GetAsync(id),
            () => engine.WaitAsync(id, TimeSpan.Zero),
            () => engine.CancelAsync(id),
            () => engine.RetryAsync(id),
            () => engine.SubmitAsync(new TaskSubmission { Type = "echo" }, id),
        })
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            Assert.Contains("1–128 characters", error.Message, StringComparison.Ordinal);
        }
    }
}
