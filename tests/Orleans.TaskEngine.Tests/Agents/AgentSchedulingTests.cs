using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>Agents in the scheduler's view: capabilities, priority, concurrency, cancel, register and leave, death.</summary>
public sealed class AgentSchedulingTests(AgentApiFixture fixture) : IClassFixture<AgentApiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AgentHttp _api = fixture.Api;

    private static string NewName(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task An_agent_is_schedulable_and_gone_each_in_under_a_second()
    {
        var queue = NewName("q");
        var clock = Stopwatch.StartNew();
        var agent = await _api.RegisterAsync("fast", [NewName("t")], queues: [queue]);
        await Eventually.Until(() => _api.QueueListsWorkerAsync(queue, agent), listed => listed, Patience, "the queue to list the agent");
        var joined = clock.Elapsed;

        clock.Restart();
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Delete, $"/api/agents/{agent}")).Status);
        await Eventually.Until(() => _api.QueueListsWorkerAsync(queue, agent), listed => !listed, Patience, "the queue to drop the agent");
        var left = clock.Elapsed;

        // Pushed, not polled: the schedulers' directory tick is 5 s. Measured well under 100 ms here; 1 s is the promise.
        Assert.True(joined < TimeSpan.FromSeconds(1), $"register → schedulable took {joined.TotalMilliseconds:F0} ms");
        Assert.True(left < TimeSpan.FromSeconds(1), $"deregister → gone took {left.TotalMilliseconds:F0} ms");
        var (_, gone) = await _api.SendAsync(HttpMethod.Get, $"/api/agents/{agent}");
        Assert.Equal("dead", gone.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{agent}/poll?wait=0")).Status);
    }

    [Fact]
    public async Task A_type_only_an_agent_runs_waits_for_one_and_never_goes_to_an_in_silo_worker()
    {
        var type = NewName("agent.only");
        var queue = NewName("q");
        var first = await _api.RegisterAsync("declarer", [type], queues: [queue]);
        await _api.SendAsync(HttpMethod.Delete, $"/api/agents/{first}");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _api.SubmitAsync(type, queue: queue));
        }

        // Nobody live runs the type: pending, counted as waiting for a capability, and in-silo workers (idle) leave them.
        var waiting = await Eventually.Until(() => _api.QueueAsync(queue), q => q.GetProperty("waitingForCapability").TryGetProperty(type, out var n) && n.GetInt32() == 5, Patience, "waitingForCapability");
        Assert.Equal(5, waiting.GetProperty("pending").GetInt32());
        foreach (var id in ids)
        {
            Assert.Equal("pending", (await _api.GetTaskAsync(id)).GetProperty("status").GetString());
        }

        await using var agentAlive = await _api.RegisterAliveAsync("runner", [type], concurrency: 5, queues: [queue]);
        var agent = agentAlive.Id;
        var leases = new List<JsonElement>();
        while (leases.Count < 5)
        {
            leases.AddRange(await _api.PollAsync(agent));
        }

        Assert.Equal(ids.Order(), leases.Select(l => l.GetProperty("id").GetString()!).Order());
        foreach (var lease in leases)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(lease)).Status);
        }

        var (_, after) = await _api.SendAsync(HttpMethod.Get, "/api/queues");
        Assert.DoesNotContain("agent.only", after.EnumerateArray().First(q => q.GetProperty("queue").GetString() == queue).GetProperty("waitingForCapability").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_gets_only_its_types_and_in_silo_workers_run_theirs()
    {
        var type = NewName("agent.x");
        var queue = NewName("q");
        await using var agentAlive = await _api.RegisterAliveAsync("picky", [type], concurrency: 4, queues: [queue]);
        var agent = agentAlive.Id;
        var echoes = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            echoes.Add(await _api.SubmitAsync("echo", queue: queue, payload: new { i }));
        }

        var mine = await _api.SubmitAsync(type, queue: queue);
        var lease = Assert.Single(await _api.PollAsync(agent));
        Assert.Equal(mine, lease.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(lease)).Status);

        foreach (var id in echoes)
        {
            var task = await Eventually.Until(() => _api.GetTaskAsync(id), t => t.GetProperty("status").GetString() == "completed", Patience, $"echo {id}");
            Assert.DoesNotContain("agent-", task.GetProperty("assignedTo").GetString()!, StringComparison.Ordinal);
        }

        Assert.Empty(await _api.PollAsync(agent, wait: 0));
    }

    [Fact]
    public async Task Tasks_reach_an_agent_in_priority_order_and_never_more_than_its_concurrency()
    {
        var type = NewName("prio");
        var queue = NewName("q");
        await using var agentAlive = await _api.RegisterAliveAsync("one-at-a-time", [type], concurrency: 1, queues: [queue]);
        var agent = agentAlive.Id;
        var blocker = await _api.SubmitAsync(type, queue: queue);
        var held = Assert.Single(await _api.PollAsync(agent));
        Assert.Equal(blocker, held.GetProperty("id").GetString());

        var byPriority = new Dictionary<string, string>();
        foreach (var priority in new[] { "low", "normal", "high", "urgent" })
        {
            byPriority[await _api.SubmitAsync(type, priority, queue)] = priority;
        }

        // Its one slot is taken: nothing more reaches it.
        Assert.Empty(await _api.PollAsync(agent, wait: 1));
        var order = new List<string>();
        var current = held;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(current)).Status);
            current = Assert.Single(await _api.PollAsync(agent));
            order.Add(byPriority[current.GetProperty("id").GetString()!]);
        }

        Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(current)).Status);
        Assert.Equal(["urgent", "high", "normal", "low"], order);
    }

    [Fact]
    public async Task Cancelling_a_leased_task_reaches_the_agent_in_heartbeat_and_poll_and_its_late_report_is_409()
    {
        var type = NewName("cancel");
        await using var agentAlive = await _api.RegisterAliveAsync("cancellee", [type], concurrency: 2);
        var agent = agentAlive.Id;
        var taskId = await _api.SubmitAsync(type);
        var lease = Assert.Single(await _api.PollAsync(agent));

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/cancel", new { reason = "changed my mind" })).Status);
        var cancelled = await Eventually.Until(() => _api.HeartbeatAsync(agent, taskId), c => c.Contains(taskId), Patience, "the heartbeat to say cancelled");
        Assert.Contains(taskId, cancelled);
        var (_, poll) = await _api.SendAsync(HttpMethod.Post, $"/api/agents/{agent}/poll?wait=0");
        Assert.Contains(taskId, poll.GetProperty("cancelledTaskIds").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(HttpStatusCode.Conflict, (await _api.CompleteAsync(lease, "too late")).Status);
        Assert.Equal("cancelled", (await _api.GetTaskAsync(taskId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_agent_that_stops_heartbeating_is_declared_dead_and_its_task_runs_elsewhere_and_its_late_report_is_409()
    {
        var type = NewName("failover");
        var dying = await _api.RegisterAsync("dying", [type], concurrency: 1);
        var taskId = await _api.SubmitAsync(type);
        var first = Assert.Single(await _api.PollAsync(dying));
        var clock = Stopwatch.StartNew();

        await using var survivorAlive = await _api.RegisterAliveAsync("survivor", [type], concurrency: 1);
        var survivor = survivorAlive.Id;
        var second = Assert.Single(await Eventually.Until(() => _api.PollAsync(survivor, wait: 2), l => l.Length > 0, Patience, "the task to reach the survivor"));
        var movedAfter = clock.Elapsed;
        Assert.Equal(taskId, second.GetProperty("id").GetString());
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        Assert.True(movedAfter < TimeSpan.FromSeconds(AgentApiFixture.LeaseSeconds + 5), $"the task moved after {movedAfter.TotalSeconds:F1} s");

        Assert.Equal(HttpStatusCode.Conflict, (await _api.CompleteAsync(first, "late")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Post, $"/api/agents/{dying}/heartbeat", new { })).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.CompleteAsync(second, "on time")).Status);
        var task = await _api.GetTaskAsync(taskId);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(survivor, task.GetProperty("assignedTo").GetString());
        Assert.Equal("\"on time\"", task.GetProperty("result").GetRawText());
        Assert.Contains(task.GetProperty("errors").EnumerateArray(), e => e.GetProperty("kind").GetString() == "worker_lost");
        var (_, dead) = await _api.SendAsync(HttpMethod.Get, $"/api/agents/{dying}");
        Assert.Equal("dead", dead.GetProperty("state").GetString());
    }
}
