using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// Hundreds of hostile requests across every endpoint: wrong JSON types, huge numbers, deep nesting, odd unicode, bad
/// paths, headers and query values. None may answer 5xx: bad input is the caller's fault and gets a 4xx problem
/// document that says so.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests(ApiCluster fixture)
{
    /// <summary>A queue with no workers that only this test uses, so its count changes only by this test's requests.</summary>
    private const string Hostile = "hostile";
    private const string LoneSurrogate = "\\ud800";
    private const string ReversedSurrogates = "\\udc00\\ud800";

    private static readonly string[] HostileIds =
    [
        "%20", "%20%20", "%09", "%0D%0A", "a%20", "%00", "a%00b", "..", "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "%2F", "a%2Fb",
        "%5C", "%25", "%25%32%46", "%ED%A0%80", "%ED%B0%80", "%FF%FE", "%C0%AF", "%E2%80%AE", "a%E2%80%AEb", "%E2%80%8B",
        "%EF%BB%BFa", "%F0%9F%92%A9", "*", "%27%3B--", "%3Cscript%3E", "%7B%7D", "~", "%3F", "%23", "a+b",
        new string('a', 129), new string('a', 10_000), "%D8%A7%D9%84%D9%85%D9%87%D9%85%D8%A9", "ｔａｓｋ",
    ];

    private static readonly string[] HostileNumbers =
    [
        "NaN", "nan", "Infinity", "-Infinity", "1e309", "-1e309", "-1", "-0", "1e-320", "61", "60.0000001",
        "99999999999999999999", "0x10", "", "%20", "abc", "1,5", "%E2%80%8B1", "%00", "1%00", "%D9%A1", "5&timeout=6",
        "2147483648", "-2147483649", "1.5", "+5", "5e1", "%ED%A0%80",
    ];

    private static readonly string[] HostileStrings =
    [
        "\"\"", "\" \"", "\"\\u0000\"", $"\"a{LoneSurrogate}b\"", $"\"{ReversedSurrogates}\"", "\"\\u202Eparked\"",
        "\"a\\u200Bb\"", "\"\\uFEFF\"", "\"\\uD83D\\uDCA9\"", "\"" + new string('q', 10_000) + "\"",
        "1", "-1", "1e400", "true", "null", "[]", "{}", "[\"a\"]", "{\"a\":1}",
    ];

    private static readonly string[] HostileNumberValues =
    [
        "\"x\"", "\"5\"", "\"NaN\"", "\"Infinity\"", "NaN", "Infinity", "1e309", "-1e309", "1e-400", "2147483648",
        "-2147483649", "9223372036854775808", "1.5", "-0", "0", "-1", "true", "null", "[]", "{}", "123456789012345678901234567890",
    ];

    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task Hundreds_of_hostile_requests_across_every_endpoint_get_no_5xx_and_every_refusal_is_a_problem_document()
    {
        var api = fixture.Api;
        var parked = await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = Hostile });
        var finished = (await api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo" }, TimeSpan.FromSeconds(30)))!;
        Assert.True(finished.Status.IsTerminal());
        var unknown = "no-such-task-" + Guid.NewGuid().ToString("N");

        var cases = new List<(string Name, Func<HttpRequestMessage> Create)>();
        AddPaths(cases, parked.Id);
        AddQueries(cases, parked.Id, finished.Id, unknown);
        AddBodies(cases);
        AddHeaders(cases, finished.Id);
        Assert.True(cases.Count >= 300, $"only {cases.Count} cases");

        var failures = new List<string>();
        foreach (var (name, create) in cases)
        {
            var before = await fixture.PendingIn(Hostile);
            using var request = create();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("null characters", StringComparison.Ordinal))
            {
                // The server refuses a NUL in the path before any app code runs (Kestrel answers 400; TestServer throws).
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var isStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
                var body = isStream ? "(event stream)" : await response.Content.ReadAsStringAsync(timeout.Token);
                if (status >= 500)
                {
                    failures.Add($"{name}: {status} {Trim(body)}");
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{name}: {status} without a problem document ({response.Content.Headers.ContentType}) {Trim(body)}");
                }
                else if (status >= 400 && await fixture.PendingIn(Hostile) != before)
                {
                    failures.Add($"{name}: {status}, yet the hostile queue changed: {Trim(body)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} hostile requests went wrong:\n{string.Join("\n", failures)}");
        await api.CancelAsync(parked.Id).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Hostile values the fuzzing above found accepted (or answered 500), each now refused with its reason.</summary>
    private static readonly Dictionary<string, (Func<string, HttpRequestMessage> Create, string Reason)> Refusals = new()
    {
        ["wait timeout=NaN"] = (id => Get($"/api/tasks/{id}/wait?timeout=NaN"), "timeout"),
        ["wait timeout=-Infinity"] = (id => Get($"/api/tasks/{id}/wait?timeout=-Infinity"), "timeout"),
        ["cancel with a 501-character reason"] = (id => Post($"/api/tasks/{id}/cancel?reason={new string('r', 501)}", null), "reason"),
        ["delaySeconds \"NaN\""] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","delaySeconds":"NaN"}""")), "delaySeconds"),
        ["runAt in the year 9999"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","runAt":"9999-12-31T23:59:59Z"}""")), "runAt"),
        ["idempotencyKey empty"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","idempotencyKey":""}""")), "idempotencyKey"),
        ["idempotencyKey blank"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","idempotencyKey":"  "}""")), "idempotencyKey"),
        ["idempotencyKey NUL"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","idempotencyKey":"a\u0000"}""")), "idempotencyKey"),
        ["idempotencyKey 201 characters"] = (_ => Post("/api/tasks", Json($$"""{"type":"echo","queue":"hostile","idempotencyKey":"{{new string('k', 201)}}"}""")), "idempotencyKey"),
        ["batch idempotencyKey 201 characters"] = (_ => Post("/api/tasks/batch", Json($$"""{"tasks":[{"type":"echo","queue":"hostile","idempotencyKey":"{{new string('k', 201)}}"}]}""")), "idempotencyKey"),
        ["Idempotency-Key lone surrogate"] = (_ => WithHeader(Post("/api/tasks", Json("""{"type":"echo","queue":"hostile"}""")), "Idempotency-Key", "k" + (char)0xD800), "Idempotency-Key"),
        ["Idempotency-Key tab"] = (_ => WithHeader(Post("/api/tasks", Json("""{"type":"echo","queue":"hostile"}""")), "Idempotency-Key", "a\tb"), "Idempotency-Key"),
        ["two Idempotency-Keys"] = (_ => WithHeaders(Post("/api/tasks", Json("""{"type":"echo","queue":"hostile"}""")), "Idempotency-Key", "a", "b"), "Idempotency-Key"),
        ["Idempotency-Key on a batch"] = (_ => WithHeader(Post("/api/tasks/batch", Json("""{"tasks":[{"type":"echo","queue":"hostile"}]}""")), "Idempotency-Key", "k"), "idempotencyKey"),
        ["tags [null]"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","tags":["a",null]}""")), "tags"),
        ["a 101-character tag"] = (_ => Post("/api/tasks", Json($$"""{"type":"echo","queue":"hostile","tags":["{{new string('t', 101)}}"]}""")), "tags"),
        ["a tag with a line break"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"hostile","tags":["a\nb"]}""")), "tags"),
        ["queue with a zero-width space"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"park\u200Bed"}""")), "queue"),
        ["queue with a right-to-left override"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"\u202Edekrap"}""")), "queue"),
        ["queue of a byte-order mark"] = (_ => Post("/api/tasks", Json("""{"type":"echo","queue":"\uFEFF"}""")), "queue"),
    };

    public static TheoryData<string> RefusalNames() => [.. Refusals.Keys];

    [Theory]
    [MemberData(nameof(RefusalNames))]
    public async Task Hostile_values_once_accepted_are_refused_with_the_reason_and_change_nothing(string name)
    {
        var parked = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = Hostile });
        var before = await fixture.PendingIn(Hostile);
        var queues = await _http.GetStringAsync("/api/queues");
        var (create, reason) = Refusals[name];

        using var request = create(parked.Id);
        using var response = await _http.SendAsync(request);

        await TaskApiTests.AssertProblem(response, HttpStatusCode.BadRequest, reason);
        Assert.Equal(before, await fixture.PendingIn(Hostile));
        Assert.Equal(TaskState.Pending, (await fixture.Api.GetAsync(parked.Id))!.Status);
        Assert.Equal(Count(queues), Count(await _http.GetStringAsync("/api/queues")));
        await fixture.Api.CancelAsync(parked.Id);

        static int Count(string queues) => System.Text.Json.JsonDocument.Parse(queues).RootElement.GetArrayLength();
    }

    private static void AddPaths(List<(string, Func<HttpRequestMessage>)> cases, string parked)
    {
        foreach (var id in HostileIds)
        {
            var shown = id.Length > 30 ? id[..30] + "…" : id;
            cases.Add(($"GET task '{shown}'", () => Get($"/api/tasks/{id}")));
            cases.Add(($"wait '{shown}'", () => Get($"/api/tasks/{id}/wait?timeout=0")));
            cases.Add(($"events '{shown}'", () => Get($"/api/tasks/{id}/events")));
            cases.Add(($"cancel '{shown}'", () => Post($"/api/tasks/{id}/cancel", null)));
            cases.Add(($"retry '{shown}'", () => Post($"/api/tasks/{id}/retry", null)));
        }

        foreach (var path in new[]
        {
            "/api/tasks//cancel", "/api/tasks/x/cancel/extra", $"/api/tasks/{parked}/events/", "/api/%00", "/api/tasks/x/wait/",
            "/api/tasks/%2e%2e/%2e%2e/health/live", "/api/queues/%00", "/api/workers/..", "/api/task-types?x=%ED%A0%80",
            "/api/queues?" + new string('q', 20_000),
        })
        {
            cases.Add(($"GET {Short(path)}", () => Get(path)));
            cases.Add(($"POST {Short(path)}", () => Post(path, Json("{}"))));
        }

        cases.Add(("DELETE task", () => new HttpRequestMessage(HttpMethod.Delete, $"/api/tasks/{parked}")));
        cases.Add(("PUT batch", () => new HttpRequestMessage(HttpMethod.Put, "/api/tasks/batch") { Content = Json("{}") }));
        cases.Add(("GET batch", () => Get("/api/tasks/batch")));
    }

    private static void AddQueries(List<(string, Func<HttpRequestMessage>)> cases, string parked, string finished, string unknown)
    {
        foreach (var value in HostileNumbers)
        {
            cases.Add(($"wait unknown timeout={value}", () => Get($"/api/tasks/{unknown}/wait?timeout={value}")));
            cases.Add(($"wait finished timeout={value}", () => Get($"/api/tasks/{finished}/wait?timeout={value}")));

            // A well-formed submit with a hostile ?wait: a valid value creates a task that waits in the hostile queue, which is fine.
            cases.Add(($"submit wait={value}", () => Post($"/api/tasks?wait={value}", Json("""{"type":"echo","queue":"hostile"}"""))));
        }

        foreach (var reason in new[] { new string('r', 20_000), "%00", "%ED%A0%80", "%E2%80%AE", "%0D%0A", "%F0%9F%92%A9", "%FF", "" })
        {
            cases.Add(($"cancel reason={Short(reason)}", () => Post($"/api/tasks/{parked}/cancel?reason={reason}", null)));
            cases.Add(($"retry reason={Short(reason)}", () => Post($"/api/tasks/{finished}/retry?reason={reason}", null)));
        }
    }

    private static void AddBodies(List<(string, Func<HttpRequestMessage>)> cases)
    {
        var bodies = new List<(string Name, string Body)>
        {
            ("empty", ""), ("unterminated", "{"), ("nul", "nul"), ("string", "\"str\""), ("number", "123"), ("array", "[]"),
            ("null", "null"), ("object", "{}"), ("trailing comma", """{"type":"echo",}"""), ("comment", "// c\n{\"type\":\"echo\"}"),
            ("two objects", """{"type":"echo"}{"type":"echo"}"""), ("NaN literal", """{"type":"echo","delaySeconds":NaN}"""),
            ("duplicate property", """{"type":"echo","type":"nope","queue":"hostile"}"""),
            ("long property name", "{\"" + new string('p', 100_000) + "\":1,\"type\":\"echo\",\"queue\":\"hostile\"}"),
            ("deep body", new string('[', 100_000)), ("deep object body", string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)),
            ("deep payload 65", Payload(new string('[', 65) + new string(']', 65))),
            ("deep payload 10000", Payload(new string('[', 10_000) + new string(']', 10_000))),
            ("huge payload number", Payload("1e400")), ("negative huge payload number", Payload("-1e400")),
            ("long payload number", Payload("123456789012345678901234567890.123456789e-999999999")), ("tiny payload number", Payload("1e-400")),
            ("lone surrogate payload", Payload($"\"{LoneSurrogate}\"")), ("lone surrogate payload key", Payload($"{{\"{LoneSurrogate}\":1}}")),
            ("rtl payload", Payload("\"\\u202E\\u200B\\uFEFF\"")), ("nul payload", Payload("\"\\u0000\"")),
        };

        foreach (var (field, values) in new (string, string[])[]
        {
            ("type", HostileStrings),
            ("queue", [.. HostileStrings, "\"a/b\"", "\"" + new string('q', 101) + "\""]),
            ("priority", [.. HostileStrings, "\"URGENT\"", "\"1\"", "\"urgent\\u0000\""]),
            ("timeoutSeconds", HostileNumberValues),
            ("maxAttempts", HostileNumberValues),
            ("delaySeconds", [.. HostileNumberValues, "1e308", "31622400.0001"]),
            ("runAt", ["\"x\"", "0", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+14:00\"",
                "\"9999-12-31T23:59:59-14:00\"", "\"2026-13-45T00:00:00Z\"", "\"2026-01-01\"", "\"\"", "[]"]),
            ("dependsOn", ["\"x\"", "[1]", "[null]", "[\"a b\"]", "[\"\"]", "[{}]", $"[\"{LoneSurrogate}\"]", "[\"a\\u202Eb\"]",
                "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"d{i}\"")) + "]", "[\"" + new string('d', 129) + "\"]"]),
            ("idempotencyKey", [.. HostileStrings, "\"" + new string('k', 201) + "\""]),
            ("tags", ["\"x\"", "[1]", "[null]", $"[\"{LoneSurrogate}\"]", "[\"\\u202E\"]", "{}",
                "[" + string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"t{i}\"")) + "]", "[\"" + new string('t', 100_000) + "\"]"]),
        })
        {
            foreach (var value in values)
            {
                bodies.Add(($"{field}={Short(value)}", $$"""{"type":"echo","queue":"hostile","{{field}}":{{value}}}"""));
            }
        }

        foreach (var (name, body) in bodies)
        {
            cases.Add(($"submit {name}", () => Post("/api/tasks", Json(body))));
            cases.Add(($"batch item {name}", () => Post("/api/tasks/batch", Json($$"""{"tasks":[{"type":"echo","queue":"hostile"},{{(body.Length == 0 ? "\"\"" : body)}}]}"""))));
        }

        foreach (var (name, body) in new[]
        {
            ("tasks null", """{"tasks":null}"""), ("tasks object", """{"tasks":{}}"""), ("tasks empty", """{"tasks":[]}"""),
            ("tasks [null]", """{"tasks":[null]}"""), ("tasks [1]", """{"tasks":[1]}"""), ("tasks string", """{"tasks":"x"}"""),
            ("1001 tasks", "{\"tasks\":[" + string.Join(",", Enumerable.Repeat("""{"type":"echo","queue":"hostile"}""", 1001)) + "]}"),
            ("deep tasks", "{\"tasks\":" + new string('[', 10_000) + "}"), ("no tasks", "{}"), ("array", "[]"), ("empty", ""),
        })
        {
            cases.Add(($"batch {name}", () => Post("/api/tasks/batch", Json(body))));
        }

        // Bytes that are not UTF-8 at all, and a BOM before valid JSON.
        cases.Add(("submit invalid UTF-8", () => Post("/api/tasks", Bytes([0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC0, 0xAF, 0x22, 0x7D]))));
        cases.Add(("submit encoded lone surrogate bytes", () => Post("/api/tasks", Bytes([.. "{\"type\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]))));
        cases.Add(("batch invalid UTF-8", () => Post("/api/tasks/batch", Bytes([0x7B, 0x22, 0x74, 0x61, 0x73, 0x6B, 0x73, 0x22, 0x3A, 0xFF, 0x7D]))));
        cases.Add(("submit BOM", () => Post("/api/tasks", Bytes([0xEF, 0xBB, 0xBF, .. """{"type":"echo","queue":"hostile"}"""u8]))));
    }

    private static void AddHeaders(List<(string, Func<HttpRequestMessage>)> cases, string finished)
    {
        const string Body = """{"type":"echo","queue":"hostile"}""";
        foreach (var key in new[] { "", " ", new string('k', 200), new string('k', 201), new string('k', 10_000), "é", "\u202E", "\u200B", "a\tb", "\ud800", "%00" })
        {
            cases.Add(($"Idempotency-Key '{Short(key)}'", () => WithHeader(Post("/api/tasks", Json(Body)), "Idempotency-Key", key)));
            cases.Add(($"batch Idempotency-Key '{Short(key)}'", () => WithHeader(Post("/api/tasks/batch", Json($$"""{"tasks":[{{Body}}]}""")), "Idempotency-Key", key)));
        }

        // Repeats of one key compare bodies: numbers no .NET type holds, and deep payloads, must compare without failing.
        foreach (var (first, repeat) in new[]
        {
            ("1e400", "1e400"), ("1e400", "1e+400"), ("1e400", "10e399"), ("1e99999999999999999999", "1e99999999999999999999"),
            ("123456789012345678901234567890.123456789e-999999999", "0"), ("-0", "0"), ("[[[[[[[[[[1]]]]]]]]]]", "[[[[[[[[[[2]]]]]]]]]]"),
            ($"\"{LoneSurrogate}\"", $"\"{LoneSurrogate}\""), ("{\"a\":1,\"a\":2}", "{\"a\":2}"),
        })
        {
            var key = "fuzz-" + Guid.NewGuid().ToString("N");
            cases.Add(($"repeat key payload {first}", () => WithHeader(Post("/api/tasks", Json(Payload(first))), "Idempotency-Key", key)));
            cases.Add(($"repeat key payload {first} then {repeat}", () => WithHeader(Post("/api/tasks", Json(Payload(repeat))), "Idempotency-Key", key)));
            cases.Add(($"batch same key payloads {first} and {repeat}", () => Post("/api/tasks/batch", Json(
                $$"""{"tasks":[{"type":"echo","queue":"hostile","idempotencyKey":"{{key}}-b","payload":{{first}}},{"type":"echo","queue":"hostile","idempotencyKey":"{{key}}-b","payload":{{repeat}}}]}"""))));
        }

        cases.Add(("two Idempotency-Keys", () =>
        {
            var request = Post("/api/tasks", Json(Body));
            request.Headers.TryAddWithoutValidation("Idempotency-Key", ["a", "b"]);
            return request;
        }));

        foreach (var contentType in new[] { "text/plain", "application/json; charset=utf-16", "application/json; charset=bogus", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded" })
        {
            cases.Add(($"Content-Type {contentType}", () =>
            {
                var content = new StringContent(Body, Encoding.UTF8);
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                content.Headers.ContentType = null;
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                return Post("/api/tasks", content);
            }));
        }

        cases.Add(("no Content-Type", () =>
        {
            var content = new StringContent(Body, Encoding.UTF8);
            content.Headers.ContentType = null;
            return Post("/api/tasks", content);
        }));

        foreach (var lastEventId in new[] { "abc", "-1", "1e3", "99999999999999999999", "", " ", "١", "0x1", "NaN", "5", "1.0", "%00", "\u202E1" })
        {
            cases.Add(($"events Last-Event-ID '{lastEventId}'", () => WithHeader(Get($"/api/tasks/{finished}/events"), "Last-Event-ID", lastEventId)));
        }

        foreach (var accept in new[] { "application/xml", "text/event-stream", "*/*;q=abc", "\u202E" })
        {
            cases.Add(($"Accept {accept}", () => WithHeader(Get($"/api/tasks/{finished}"), "Accept", accept)));
        }

        foreach (var authorization in new[] { "Bearer", "Bearer ", "Bearer \u202E", "Basic Zm9vOmJhcg==", "Bearer " + new string('b', 10_000), "\ud800" })
        {
            cases.Add(($"Authorization '{Short(authorization)}'", () => WithHeader(Get("/api/queues"), "Authorization", authorization)));
        }
    }

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, new Uri(path, UriKind.Relative));

    private static HttpRequestMessage Post(string path, HttpContent? content) =>
        new(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage WithHeaders(HttpRequestMessage request, string name, params string[] values)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, values);
        return request;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Payload(string payload) => $$"""{"type":"echo","queue":"hostile","payload":{{payload}}}""";

    private static string Short(string text) => text.Length > 40 ? string.Create(CultureInfo.InvariantCulture, $"{text[..40]}…({text.Length})") : text;

    private static string Trim(string body) => body.Length > 400 ? body[..400] : body;
}
