using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Tests.Agents;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.History;

/// <summary><c>GET /api/tasks</c> and <c>GET /api/tasks/{id}/history</c> on an embedded host with named keys.</summary>
public sealed class HistoryApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private WebApplicationFactory<Program>? _factory;
    private AgentHttp _backend = null!;
    private AgentHttp _ops = null!;
    private AgentHttp _fleet = null!;

    // The host starts inside CreateClient, synchronously: off xunit's own threads, so nothing it awaits can wait for them.
    public Task InitializeAsync() => Task.Run(Initialize);

    private void Initialize()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Api:Mode", "Embedded")
            .UseSetting("TaskEngine:Api:NamedKeys:backend:Key", "backend-secret")
            .UseSetting("TaskEngine:Api:NamedKeys:backend:Roles:0", "submitter")
            .UseSetting("TaskEngine:Api:NamedKeys:ops:Key", "ops-secret")
            .UseSetting("TaskEngine:Api:NamedKeys:ops:Roles:0", "admin")
            .UseSetting("TaskEngine:Api:NamedKeys:fleet:Key", "fleet-secret")
            .UseSetting("TaskEngine:Api:NamedKeys:fleet:Roles:0", "agent")
            .UseSetting("TaskEngine:Cluster:SiloPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:Cluster:GatewayPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture)));
        _backend = Client("backend-secret");
        _ops = Client("ops-secret");
        _fleet = Client("fleet-secret");
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    private AgentHttp Client(string key)
    {
        var http = _factory!.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new AgentHttp(http);
    }

    [Fact]
    public async Task A_tasks_history_names_who_submitted_and_who_cancelled_it_and_search_finds_it_by_its_filters()
    {
        var queue = "hist-" + Guid.NewGuid().ToString("N")[..8];
        var done = await _backend.SubmitAsync("echo", queue: queue, payload: new { n = 1 });
        var parked = await _backend.SubmitAsync("delay", queue: queue, payload: new { ms = 600_000 });
        await Eventually.Until(() => _backend.GetTaskAsync(parked), t => t.GetProperty("status").GetString() == "running", Patience, "the delay to run");
        Assert.Equal(HttpStatusCode.OK, (await _ops.SendAsync(HttpMethod.Post, $"/api/tasks/{parked}/cancel?reason=not%20needed")).Status);
        await Eventually.Until(() => _backend.GetTaskAsync(done), t => t.GetProperty("status").GetString() == "completed", Patience, "the echo to complete");

        var (status, history) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks/{parked}/history");
        Assert.Equal(HttpStatusCode.OK, status);
        var events = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal("backend", events[0].GetProperty("actor").GetString());
        Assert.Equal("system", events.Single(e => e.GetProperty("status").GetString() == "running").GetProperty("actor").GetString());
        var cancel = events.Last();
        Assert.Equal("cancelled", cancel.GetProperty("status").GetString());
        Assert.Equal("ops", cancel.GetProperty("actor").GetString());
        Assert.Contains("not needed", cancel.GetProperty("message").GetString()!, StringComparison.Ordinal);

        var (_, byQueue) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks?queue={queue}");
        Assert.Equal([parked, done], byQueue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var (_, cancelled) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks?queue={queue}&status=cancelled&createdBy=backend&type=delay");
        var item = Assert.Single(cancelled.GetProperty("items").EnumerateArray());
        Assert.Equal(parked, item.GetProperty("id").GetString());
        Assert.Equal("backend", item.GetProperty("createdBy").GetString());

        var (_, paged) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks?queue={queue}&limit=1");
        var next = paged.GetProperty("nextCursor").GetString();
        var (_, second) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks?queue={queue}&limit=1&cursor={next}");
        Assert.Equal(done, second.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("status=finished")]
    [InlineData("status=1")]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=ten")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("colour=blue")]
    [InlineData("type=a&type=b")]
    [InlineData("type=")]
    public async Task A_bad_filter_is_a_400_that_names_it(string query)
    {
        var (status, problem) = await _backend.SendAsync(HttpMethod.Get, $"/api/tasks?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task History_of_an_unknown_task_is_404_and_an_agent_key_may_not_read_the_log()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _backend.SendAsync(HttpMethod.Get, "/api/tasks/never-submitted/history")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _backend.SendAsync(HttpMethod.Get, "/api/tasks/x/history?createdAt=soon")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _fleet.SendAsync(HttpMethod.Get, "/api/tasks")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _fleet.SendAsync(HttpMethod.Get, "/api/tasks/x/history")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _ops.SendAsync(HttpMethod.Get, "/api/tasks?limit=1")).Status);
    }

    [Fact]
    public async Task Stats_report_a_known_workload_as_json_and_as_csv_and_refuse_bad_windows()
    {
        var queue = await KnownWorkloadAsync("stats-", echoes: 5);

        var (status, stats) = await _backend.SendAsync(HttpMethod.Get, "/api/stats?window=15m&by=queue");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("15m", stats.GetProperty("window").GetString());
        var group = stats.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == queue);
        Assert.Equal(5, group.GetProperty("counts").GetProperty("completed").GetInt32());
        Assert.Equal(1, group.GetProperty("counts").GetProperty("cancelled").GetInt32());
        Assert.Equal(15, group.GetProperty("perMinute").GetArrayLength());
        Assert.Equal(6, group.GetProperty("perMinute").EnumerateArray().Sum(n => n.GetInt32()));
        Assert.True(group.GetProperty("runMs").GetProperty("p50").GetDouble() >= 0);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats?window=15m&by=queue");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var http = _factory!.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "backend-secret");
        using var response = await http.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("key,completed,failed,cancelled,timedOut,retried,perMinute,", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith($"{queue},5,0,1,0,0,", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, (await _backend.SendAsync(HttpMethod.Get, "/api/stats?window=2h")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _backend.SendAsync(HttpMethod.Get, "/api/stats?by=silo")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _fleet.SendAsync(HttpMethod.Get, "/api/stats")).Status);
    }

    [Fact]
    public async Task Throughput_counts_a_known_workload_per_minute_and_refuses_bad_windows()
    {
        var (_, before) = await _backend.SendAsync(HttpMethod.Get, "/api/stats/throughput");
        await KnownWorkloadAsync("throughput-", echoes: 4);

        var (status, after) = await _backend.SendAsync(HttpMethod.Get, "/api/stats/throughput?window=15m");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("15m", after.GetProperty("window").GetString());
        Assert.True(after.GetProperty("completed").GetInt32() - before.GetProperty("completed").GetInt32() >= 4, after.ToString());
        Assert.True(after.GetProperty("cancelled").GetInt32() - before.GetProperty("cancelled").GetInt32() >= 1, after.ToString());
        var perMinute = after.GetProperty("perMinute").EnumerateArray().Select(n => n.GetInt32()).ToList();
        Assert.Equal(15, perMinute.Count);
        Assert.Equal(after.GetProperty("completed").GetInt32() + after.GetProperty("failed").GetInt32() + after.GetProperty("cancelled").GetInt32(), perMinute.Sum());
        var from = after.GetProperty("from").GetDateTimeOffset();
        Assert.Equal(0, from.Second);
        Assert.InRange(after.GetProperty("to").GetDateTimeOffset() - from, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        Assert.Equal(HttpStatusCode.BadRequest, (await _backend.SendAsync(HttpMethod.Get, "/api/stats/throughput?window=2h")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _fleet.SendAsync(HttpMethod.Get, "/api/stats/throughput")).Status);
    }

    /// <summary>In a queue of its own: <paramref name="echoes"/> echo tasks completed and one delay cancelled. Returns the queue.</summary>
    private async Task<string> KnownWorkloadAsync(string prefix, int echoes)
    {
        var queue = prefix + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < echoes; i++)
        {
            ids.Add(await _backend.SubmitAsync("echo", queue: queue, payload: new { i }));
        }

        var parked = await _backend.SubmitAsync("delay", queue: queue, payload: new { ms = 600_000 });
        await _backend.SendAsync(HttpMethod.Post, $"/api/tasks/{parked}/cancel");
        foreach (var id in ids)
        {
            await Eventually.Until(() => _backend.GetTaskAsync(id), t => t.GetProperty("status").GetString() == "completed", Patience, $"echo {id}");
        }

        return queue;
    }
}
