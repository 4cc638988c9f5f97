using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client.Agents;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>
/// <see cref="TaskEngineAgent"/>, the client library's agent host, against the real API host (embedded silo): it runs
/// tasks within its concurrency, reports results, sees cancellations, and stops gracefully.
/// </summary>
public sealed class DotNetAgentTests(AgentApiFixture fixture) : IClassFixture<AgentApiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AgentHttp _api = fixture.Api;

    private static string NewType() => "dotnet." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Two_agents_of_concurrency_3_complete_30_tasks_with_their_results_never_running_more_than_3_at_once()
    {
        var type = NewType();
        var running = new int[2];
        var peak = new int[2];
        var handled = new int[2];
        await using var first = NewAgent("first", type, 0);
        await using var second = NewAgent("second", type, 1);
        using var stop = new CancellationTokenSource();
        var runs = new[] { first.RunAsync(stop.Token), second.RunAsync(stop.Token) };
        await Eventually.Until(() => Task.FromResult(first.AgentId is not null && second.AgentId is not null), r => r, Patience, "both agents to register");

        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await _api.SubmitAsync(type, payload: new { n = i }));
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var task = await Eventually.Until(() => _api.GetTaskAsync(ids[i]), t => t.GetProperty("status").GetString() is "completed" or "failed" or "cancelled", Patience, $"task {i} to finish");
            Assert.True(task.GetProperty("status").GetString() == "completed", $"task {i}: {task}");
            var result = task.GetProperty("result");
            Assert.Equal(i, result.GetProperty("n").GetInt32());
            Assert.Equal(task.GetProperty("assignedTo").GetString(), result.GetProperty("agentId").GetString());
        }

        Assert.True(peak[0] is > 0 and <= 3, $"the first agent ran up to {peak[0]} at once");
        Assert.True(peak[1] is > 0 and <= 3, $"the second agent ran up to {peak[1]} at once");
        Assert.True(Math.Max(peak[0], peak[1]) == 3, $"no agent ever ran 3 at once (peaks {peak[0]}, {peak[1]}): the limit was never tested");
        Assert.True(handled[0] + handled[1] >= 30, $"handled {handled[0]} + {handled[1]}");
        await stop.CancelAsync();
        await Task.WhenAll(runs).WaitAsync(Patience);

        TaskEngineAgent NewAgent(string name, string taskType, int slot)
        {
            TaskEngineAgent? agent = null;
            agent = new TaskEngineAgent(Options(name)).Handle(taskType, async (task, ct) =>
            {
                var now = Interlocked.Increment(ref running[slot]);
                Interlocked.Increment(ref handled[slot]);
                InterlockedMax(ref peak[slot], now);
                try
                {
                    // Long enough for the agents' slots to fill while the 30 are pending.
                    await Task.Delay(100 + (task.PayloadAs<Payload>()!.N % 4 * 50), ct);
                    return new { n = task.PayloadAs<Payload>()!.N, agentId = agent!.AgentId };
                }
                finally
                {
                    Interlocked.Decrement(ref running[slot]);
                }
            });
            return agent;
        }
    }

    [Fact]
    public async Task Cancelling_a_task_through_the_api_while_its_handler_runs_fires_the_handlers_token()
    {
        var type = NewType();
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var agent = new TaskEngineAgent(Options("cancellee")).Handle(type, async (task, ct) =>
        {
            using var onCancel = ct.Register(() => tokenFired.TrySetResult());
            started.TrySetResult(task.Id);
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        using var stop = new CancellationTokenSource();
        var run = agent.RunAsync(stop.Token);
        await Eventually.Until(() => Task.FromResult(agent.AgentId), id => id is not null, Patience, "the agent to register");

        var taskId = await _api.SubmitAsync(type);
        Assert.Equal(taskId, await started.Task.WaitAsync(Patience));
        var (status, body) = await _api.SendAsync(HttpMethod.Post, $"/api/tasks/{taskId}/cancel", new { reason = "no longer needed" });
        Assert.True(status == HttpStatusCode.OK, $"cancel answered {status}: {body}");

        // The cancellation reaches the agent in its next heartbeat or poll answer (heartbeats every second here).
        await tokenFired.Task.WaitAsync(TimeSpan.FromSeconds(AgentApiFixture.LeaseSeconds + 10));
        Assert.Equal("cancelled", (await _api.GetTaskAsync(taskId)).GetProperty("status").GetString());
        await Eventually.Until(() => Task.FromResult(agent.RunningTaskIds.Count), n => n == 0, Patience, "the cancelled task to leave the agent");
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task Stopping_an_agent_deregisters_it_and_its_running_task_still_completes()
    {
        var type = NewType();
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFired = false;
        await using var agent = new TaskEngineAgent(Options("stopper", stopGrace: TimeSpan.FromSeconds(60))).Handle(type, async (task, ct) =>
        {
            started.TrySetResult(task.Id);
            await release.Task;
            tokenFired = ct.IsCancellationRequested;
            return new { finished = "after the stop" };
        });
        using var stop = new CancellationTokenSource();
        var run = agent.RunAsync(stop.Token);
        var agentId = await Eventually.Until(() => Task.FromResult(agent.AgentId), id => id is not null, Patience, "the agent to register");

        var taskId = await _api.SubmitAsync(type);
        Assert.Equal(taskId, await started.Task.WaitAsync(Patience));
        await stop.CancelAsync();

        // Deregistered: no new work; the server keeps its lease while it finishes.
        var deregistered = await Eventually.Until(() => _api.SendAsync(HttpMethod.Get, $"/api/agents/{agentId}"),
            a => a.Body.ValueKind == JsonValueKind.Object && a.Body.GetProperty("state").GetString() is "draining" or "dead", Patience, "the agent to be draining or dead");
        Assert.Equal(HttpStatusCode.OK, deregistered.Status);
        Assert.False(run.IsCompleted, "RunAsync returned while its task still ran");
        var stillRunning = await _api.GetTaskAsync(taskId);
        Assert.Equal("running", stillRunning.GetProperty("status").GetString());

        release.SetResult();
        await run.WaitAsync(Patience);
        Assert.False(tokenFired, "the running task's token fired during a graceful stop");
        var task = await _api.GetTaskAsync(taskId);
        Assert.True(task.GetProperty("status").GetString() == "completed", $"the task after the stop: {task}");
        Assert.Equal(agentId, task.GetProperty("assignedTo").GetString());
        Assert.Equal("after the stop", task.GetProperty("result").GetProperty("finished").GetString());
    }

    private TaskEngineAgentOptions Options(string name, TimeSpan? stopGrace = null) => new()
    {
        HttpClient = fixture.Http,
        Name = name,
        Concurrency = 3,
        PollWaitSeconds = 5,
        StopGracePeriod = stopGrace ?? TimeSpan.FromSeconds(30),
    };

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private sealed record Payload(int N);
}
