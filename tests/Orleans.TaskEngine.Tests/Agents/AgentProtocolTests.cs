using System.Net;
using System.Text.Json;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>The agent protocol's contract: paths, fields, status codes, and that bad input changes nothing.</summary>
public sealed class AgentProtocolTests(AgentApiFixture fixture) : IClassFixture<AgentApiFixture>
{
    private readonly AgentHttp _api = fixture.Api;

    private static string NewType() => "t." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Register_answers_201_with_the_timings_and_the_agent_is_listed_with_its_declaration()
    {
        var type = NewType();
        var (status, body) = await _api.SendAsync(HttpMethod.Post, "/api/agents", new { name = "ingest", taskTypes = new[] { type }, labels = new Dictionary<string, string> { ["zone"] = "a" } });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("agent-", id, StringComparison.Ordinal);
        Assert.Equal(AgentApiFixture.HeartbeatSeconds, body.GetProperty("heartbeatSeconds").GetInt32());
        Assert.Equal(AgentApiFixture.LeaseSeconds, body.GetProperty("leaseSeconds").GetInt32());

        var (getStatus, agent) = await _api.SendAsync(HttpMethod.Get, $"/api/agents/{id}");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal("active", agent.GetProperty("state").GetString());
        Assert.Equal("ingest", agent.GetProperty("name").GetString());
        Assert.Equal(3, agent.GetProperty("concurrency").GetInt32());
        Assert.Equal(["default"], agent.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal([type], agent.GetProperty("taskTypes").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal("a", agent.GetProperty("labels").GetProperty("zone").GetString());
        Assert.Equal(0, agent.GetProperty("slotsInUse").GetInt32());

        var (_, all) = await _api.SendAsync(HttpMethod.Get, "/api/agents");
        Assert.Contains(all.EnumerateArray(), a => a.GetProperty("id").GetString() == id);
    }

    public static TheoryData<string> BadRegistrations() => new()
    {
        """{"name":"x"}""",
        """{"name":"x","taskTypes":[]}""",
        """{"name":"x","taskTypes":"bad.type"}""",
        """{"name":"x","taskTypes":["ok"],"concurrency":0}""",
        """{"name":"x","taskTypes":["ok"],"concurrency":17}""",
        """{"name":"x","taskTypes":["ok"],"concurrency":"three"}""",
        """{"name":"x","taskTypes":["ok"],"concurrency":1.5}""",
        """{"taskTypes":["ok"]}""",
        """{"name":"x","taskTypes":["has space"]}""",
        """{"name":"x","taskTypes":["ok"],"queues":["a/b"]}""",
        """{"name":"x","taskTypes":["ok"],"queues":[]}""",
        """{"name":"x","taskTypes":["ok"],"labels":{"k":1}}""",
        """[1,2]""",
        """not json""",
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task A_bad_registration_is_a_400_and_registers_nothing(string body)
    {
        var (_, before) = await _api.SendAsync(HttpMethod.Get, "/api/agents");
        var (status, problem) = await _api.SendAsync(HttpMethod.Post, "/api/agents", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        var (_, after) = await _api.SendAsync(HttpMethod.Get, "/api/agents");
        Assert.Equal(before.GetArrayLength(), after.GetArrayLength());
    }

    [Fact]
    public async Task Heartbeat_poll_and_get_of_an_unknown_agent_are_404()
    {
        const string unknown = "agent-00000000000000000000000000000000";
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{unknown}/heartbeat", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{unknown}/poll?wait=0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Get, $"/api/agents/{unknown}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, "/api/agents/not-an-agent/heartbeat", new { })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, "/api/agents/a%20b/heartbeat", new { })).Status);
    }

    [Fact]
    public async Task Poll_wait_outside_0_to_60_is_a_400()
    {
        var agent = await _api.RegisterAsync("w", [NewType()]);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{agent}/poll?wait=61")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{agent}/poll?wait=-1")).Status);
    }

    [Fact]
    public async Task A_leased_task_completes_with_its_token_a_repeat_is_200_again_and_a_fail_after_it_is_409()
    {
        var type = NewType();
        await using var alive = await _api.RegisterAliveAsync("runner", [type]);
        var agent = alive.Id;
        var taskId = await _api.SubmitAsync(type, payload: new { n = 7 });

        var lease = Assert.Single(await _api.PollAsync(agent));
        Assert.Equal(taskId, lease.GetProperty("id").GetString());
        Assert.Equal(type, lease.GetProperty("type").GetString());
        Assert.Equal(7, lease.GetProperty("payload").GetProperty("n").GetInt32());
        Assert.Equal(1, lease.GetProperty("attempt").GetInt32());
        Assert.Equal("normal", lease.GetProperty("priority").GetString());
        Assert.Equal("default", lease.GetProperty("queue").GetString());
        Assert.True(lease.GetProperty("timeoutSeconds").GetInt32() > 0);
        Assert.True(lease.GetProperty("leaseExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        var running = await _api.GetTaskAsync(taskId);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(agent, running.GetProperty("assignedTo").GetString());

        var (progressStatus, progressed) = await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/progress",
            new { leaseToken = lease.GetProperty("leaseToken").GetString(), percent = 50, message = "half" });
        Assert.Equal(HttpStatusCode.OK, progressStatus);
        Assert.Equal(taskId, progressed.GetProperty("id").GetString());

        var (status, done) = await _api.CompleteAsync(lease, new { sum = 3 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("result").GetProperty("sum").GetInt32());
        Assert.Contains(done.GetProperty("history").EnumerateArray(), e => e.GetProperty("kind").GetString() == "progress" && e.GetProperty("message").GetString() == "half");
        Assert.Contains(done.GetProperty("history").EnumerateArray(), e => e.TryGetProperty("assignedTo", out var who) && who.GetString() == agent);

        var (again, _) = await _api.CompleteAsync(lease, new { sum = 3 });
        Assert.Equal(HttpStatusCode.OK, again);
        var (fail, _) = await _api.FailAsync(lease, "too late");
        Assert.Equal(HttpStatusCode.Conflict, fail);
        Assert.Equal("completed", (await _api.GetTaskAsync(taskId)).GetProperty("status").GetString());

        var (_, status2) = await _api.SendAsync(HttpMethod.Get, $"/api/agents/{agent}");
        Assert.Equal(1, status2.GetProperty("completed").GetInt64());
    }

    [Fact]
    public async Task A_failure_is_retried_and_a_permanent_one_fails_the_task_and_a_repeated_fail_is_200()
    {
        var type = NewType();
        await using var alive = await _api.RegisterAliveAsync("failer", [type]);
        var agent = alive.Id;
        var taskId = await _api.SubmitAsync(type);

        var first = Assert.Single(await _api.PollAsync(agent));
        var (status, failed) = await _api.FailAsync(first, "boom");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("scheduled", failed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _api.FailAsync(first, "boom")).Status);

        var second = Assert.Single(await _api.PollAsync(agent, wait: 30));
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        var (permanentStatus, final) = await _api.FailAsync(second, "bad input", permanent: true);
        Assert.Equal(HttpStatusCode.OK, permanentStatus);
        Assert.Equal("failed", final.GetProperty("status").GetString());
        Assert.Equal("permanent", final.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await _api.CompleteAsync(first)).Status);
    }

    [Fact]
    public async Task Bad_reports_are_4xx_and_change_nothing()
    {
        var type = NewType();
        await using var alive = await _api.RegisterAliveAsync("bad", [type]);
        var agent = alive.Id;
        var taskId = await _api.SubmitAsync(type);
        var lease = Assert.Single(await _api.PollAsync(agent));
        var token = lease.GetProperty("leaseToken").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/complete", new { result = 1 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/complete", new { leaseToken = "nonsense", result = 1 })).Status);
        var forged = token[..^4] + (token.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000");
        Assert.Equal(HttpStatusCode.Conflict, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/complete", new { leaseToken = forged, result = 1 })).Status);
        var otherType = NewType();
        await _api.RegisterAsync("other", [otherType]);
        var other = await _api.SubmitAsync(otherType);
        Assert.Equal(HttpStatusCode.Conflict, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{other}/complete", new { leaseToken = token, result = 1 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/fail", new { leaseToken = token, error = new { } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/fail", new { leaseToken = token, error = new { message = "x", kind = "worker_lost" } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/progress", new { leaseToken = token, percent = 101 })).Status);
        var huge = new string('x', (1024 * 1024) + 10);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/complete", new { leaseToken = token, result = huge })).Status);

        Assert.Equal("running", (await _api.GetTaskAsync(taskId)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(lease, "fine")).Status);
    }

    [Fact]
    public async Task A_type_declared_by_an_agent_or_configured_is_accepted_and_an_unknown_one_is_400()
    {
        var type = NewType();
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Post, "/api/tasks", new { type, payload = 1 })).Status);
        var agent = await _api.RegisterAsync("declarer", [type]);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Post, "/api/tasks", new { type, payload = 1 })).Status);

        // Declared once is known for good: still accepted after the agent left.
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Delete, $"/api/agents/{agent}")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Post, "/api/tasks", new { type, payload = 2 })).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Post, "/api/tasks", new { type = "configured.only", payload = 2 })).Status);
        var (_, types) = await _api.SendAsync(HttpMethod.Get, "/api/task-types");
        Assert.Contains(type, types.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_agent_endpoint()
    {
        var (status, document) = await _api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[]
        {
            ("/api/agents", "post"), ("/api/agents", "get"), ("/api/agents/{id}", "get"), ("/api/agents/{id}", "delete"),
            ("/api/agents/{id}/heartbeat", "post"), ("/api/agents/{id}/poll", "post"),
            ("/api/tasks/{id}/progress", "post"), ("/api/tasks/{id}/complete", "post"), ("/api/tasks/{id}/fail", "post"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the OpenAPI document");
            Assert.False(string.IsNullOrEmpty(item.GetProperty(method).GetProperty("summary").GetString()));
        }
    }
}
