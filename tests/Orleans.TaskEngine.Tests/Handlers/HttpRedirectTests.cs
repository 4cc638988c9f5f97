using System.Text.Json;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Handlers;

/// <summary>
/// The <c>http</c> handler follows redirects itself, and only to hosts on TaskEngine:Http:AllowedHosts (the tests allow
/// <c>localhost</c>; <c>127.0.0.1</c> is the same server under a name that is not allowed).
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class HttpRedirectTests(SharedEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_to_a_host_not_on_the_allow_list_fails_permanently_naming_the_host_and_is_not_followed(int status)
    {
        await using var server = await LoopbackHttpServer.StartAsync();
        var to = Uri.EscapeDataString($"http://127.0.0.1:{server.Port}/final");

        var task = await Run(new { url = $"http://localhost:{server.Port}/redirect/{status}?to={to}", method = "POST", body = new { a = 1 } });

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(1, task.Attempts);
        Assert.Equal(TaskErrorKinds.Permanent, task.Error!.Kind);
        Assert.Contains("'127.0.0.1'", task.Error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowedHosts", task.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/final");
    }

    [Theory]
    [InlineData(301, "GET", "")]
    [InlineData(302, "GET", "")]
    [InlineData(303, "GET", "")]
    [InlineData(307, "POST", "{\"a\":1}")]
    [InlineData(308, "POST", "{\"a\":1}")]
    public async Task A_redirect_within_the_allow_list_is_followed_with_the_method_browsers_use(int status, string method, string body)
    {
        await using var server = await LoopbackHttpServer.StartAsync();
        var to = Uri.EscapeDataString($"http://localhost:{server.Port}/final");

        var task = await Run(new { url = $"http://localhost:{server.Port}/redirect/{status}?to={to}", method = "POST", body = new { a = 1 } });

        Assert.Equal(TaskState.Completed, task.Status);
        using var result = JsonDocument.Parse(task.Result!);
        Assert.Equal(200, result.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("""{"final":true}""", result.RootElement.GetProperty("body").GetString());
        var final = Assert.Single(server.Requests, r => r.Path == "/final");
        Assert.Equal(method, final.Method);
        Assert.Equal(body, final.Body);
    }

    [Fact]
    public async Task A_relative_redirect_is_resolved_against_the_url_that_answered_it()
    {
        await using var server = await LoopbackHttpServer.StartAsync();

        var task = await Run(new { url = $"http://localhost:{server.Port}/redirect/302?to=%2Fnext%2Ffinal", method = "GET" });

        Assert.Equal(TaskState.Completed, task.Status);
        Assert.Single(server.Requests, r => r.Path == "/next/final" && r.Host == "localhost");
    }

    [Fact]
    public async Task Credentials_are_not_sent_on_to_another_origin()
    {
        await using var first = await LoopbackHttpServer.StartAsync();
        await using var second = await LoopbackHttpServer.StartAsync();
        var to = Uri.EscapeDataString($"http://localhost:{second.Port}/final");

        var task = await Run(new
        {
            url = $"http://localhost:{first.Port}/redirect/307?to={to}",
            method = "GET",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer secret", ["Cookie"] = "session=secret", ["X-Trace"] = "t1" },
        });

        Assert.Equal(TaskState.Completed, task.Status);
        Assert.Equal("Bearer secret", Assert.Single(first.Requests).Authorization);
        var final = Assert.Single(second.Requests);
        Assert.Equal(string.Empty, final.Authorization);
        Assert.Equal(string.Empty, final.Cookie);
    }

    [Fact]
    public async Task It_follows_at_most_five_redirects_then_fails_permanently()
    {
        await using var server = await LoopbackHttpServer.StartAsync();

        var task = await Run(new { url = $"http://localhost:{server.Port}/loop", method = "GET" });

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(TaskErrorKinds.Permanent, task.Error!.Kind);
        Assert.Contains("redirect", task.Error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(6, server.Requests.Count);
    }

    private async Task<TaskSnapshot> Run(object payload) =>
        await _engine.Finished(await _engine.SubmitOk("http", payload, s => s with { MaxAttempts = 3 }));
}
