using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.TaskEngine.Client.Agents;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

// Not ...Tests.Client: that namespace would shadow Orleans.TaskEngine.Client in the other tests' partly qualified names.
namespace Orleans.TaskEngine.Tests.AgentClients;

/// <summary>The .NET agent against <see cref="FakeAgentServer"/>: every rule of the agents contract the client must keep.</summary>
public sealed class TaskEngineAgentTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly FakeAgentServer _server = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskEngineAgent? _agent;
    private Task? _run;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task Registers_polls_runs_the_handler_and_completes_with_the_lease_token()
    {
        AgentTask? received = null;
        var agent = Agent(o => o.ApiKey = "k1");
        agent.OnTaskReceived = t => received = t;
        agent.Handle("echo", (task, _) => Task.FromResult<object?>(task.Payload));
        _server.Enqueue("t1", "echo", JsonNode.Parse("""{"x":1}"""));
        Run();

        var report = await ReportOf("t1");

        Assert.Equal("complete", report.Verb);
        Assert.Equal(_server.Read(s => s.IssuedTokens["t1"]), (string?)report.Body["leaseToken"]);
        Assert.Equal(1, (int?)report.Body["result"]!["x"]);
        var registration = _server.Read(s => s.Requests.First(r => r.Path == "/api/agents"));
        Assert.Equal("Bearer k1", registration.Authorization);
        Assert.Equal(["echo"], registration.Body!["taskTypes"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(2, (int?)registration.Body["concurrency"]);
        Assert.Equal("default", (string?)registration.Body["queues"]![0]);
        Assert.True(_server.Read(s => s.Requests.Where(r => r.Path.Contains("/poll", StringComparison.Ordinal)).All(r => r.Path.EndsWith("poll?wait=1", StringComparison.Ordinal))));
        Assert.NotNull(received);
        Assert.Equal(TaskPriority.High, received.Priority);
        Assert.Equal("lease-t1", received.LeaseToken[..8]);
    }

    [Fact]
    public async Task A_handler_exception_fails_the_task_with_its_type_as_kind_and_PermanentTaskException_as_permanent()
    {
        var agent = Agent();
        agent.Handle("boom", (_, _) => throw new InvalidOperationException("no good"));
        agent.Handle("bad", (_, _) => throw new PermanentTaskException("bad payload"));
        _server.Enqueue("t1", "boom");
        _server.Enqueue("t2", "bad");
        Run();

        var boom = await ReportOf("t1");
        var bad = await ReportOf("t2");

        Assert.Equal("fail", boom.Verb);
        Assert.Equal("no good", (string?)boom.Body["error"]!["message"]);
        Assert.Equal("InvalidOperationException", (string?)boom.Body["error"]!["kind"]);
        Assert.Null(boom.Body["error"]!["permanent"]);
        Assert.Equal("PermanentTaskException", (string?)bad.Body["error"]!["kind"]);
        Assert.True((bool?)bad.Body["error"]!["permanent"]);
    }

    [Fact]
    public async Task A_404_on_heartbeat_registers_again_under_a_new_id_and_work_goes_on()
    {
        var agent = Agent();
        agent.Handle("echo", (task, _) => Task.FromResult<object?>(task.Id));
        Run();
        var first = await Eventually.Until(() => Task.FromResult(agent.AgentId), id => id is not null, Deadline, "registration");

        _server.HeartbeatsToRefuse = 1;
        var second = await Eventually.Until(() => Task.FromResult(agent.AgentId), id => id != first, Deadline, "a new registration");
        _server.Enqueue("t1", "echo");

        Assert.Equal("complete", (await ReportOf("t1")).Verb);
        Assert.Equal([first!, second!], _server.Read(s => s.Registrations.ToArray()));
        Assert.Contains(_server.Read(s => s.Requests.ToArray()), r => r.Path == $"/api/agents/{second}/poll?wait=1");
    }

    [Fact]
    public async Task A_404_on_poll_registers_again()
    {
        var agent = Agent();
        agent.Handle("echo", (task, _) => Task.FromResult<object?>(task.Id));
        _server.PollsToRefuse = 1;
        Run();

        await Eventually.Until(() => Task.FromResult(_server.Read(s => s.Registrations.Count)), n => n == 2, Deadline, "a second registration");
        _server.Enqueue("t1", "echo");

        Assert.Equal("complete", (await ReportOf("t1")).Verb);
        Assert.Equal(_server.Read(s => s.Registrations[1]), agent.AgentId);
    }

    [Fact]
    public async Task A_cancelled_task_id_fires_the_handlers_token_and_its_result_is_dropped()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = Agent();
        agent.Handle("long", async (_, ct) =>
        {
            using var signal = ct.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await cancelled.Task;
            return "finished anyway"; // ignores the token's exception path on purpose: the agent must still drop this
        });
        agent.Handle("echo", (task, _) => Task.FromResult<object?>(task.Id));
        _server.Enqueue("t1", "long");
        Run();
        await started.Task.WaitAsync(Deadline);

        _server.Cancel("t1");
        await cancelled.Task.WaitAsync(Deadline);
        _server.Enqueue("t2", "echo");
        await ReportOf("t2");

        Assert.DoesNotContain(_server.Read(s => s.Requests.ToArray()), r => r.Path.StartsWith("/api/tasks/t1/", StringComparison.Ordinal));
        await Eventually.Until(() => Task.FromResult(agent.RunningTaskIds.Count), n => n == 0, Deadline, "the cancelled task to leave");
    }

    [Fact]
    public async Task Stop_deregisters_first_then_waits_for_running_tasks_to_finish_and_report()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = Agent();
        agent.Handle("gated", async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return "done";
        });
        _server.Enqueue("t1", "gated");
        Run();
        await started.Task.WaitAsync(Deadline);

        var stopping = agent.StopAsync(CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(_server.Read(s => s.Requests.Any(r => r.Method == "DELETE"))), d => d, Deadline, "DELETE");
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(Deadline);
        await _run!.WaitAsync(Deadline);

        var requests = _server.Read(s => s.Requests.ToList());
        var delete = requests.FindIndex(r => r.Method == "DELETE");
        Assert.Equal($"/api/agents/{agent.AgentId}", requests[delete].Path);
        Assert.True(requests.FindIndex(r => r.Path == "/api/tasks/t1/complete") > delete, "the report comes after the DELETE");
        Assert.DoesNotContain(requests.Skip(delete + 1), r => r.Path.Contains("/poll", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_grace_period_passes_running_tasks_tokens_fire_and_nothing_is_reported()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = false;
        var agent = Agent(o => o.StopGracePeriod = TimeSpan.FromMilliseconds(100));
        agent.Handle("stuck", async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                sawCancel = true;
                throw;
            }

            return null;
        });
        _server.Enqueue("t1", "stuck");
        Run();
        await started.Task.WaitAsync(Deadline);

        _stop.Cancel(); // cancelling RunAsync's token is a graceful stop
        await _run!.WaitAsync(Deadline);

        Assert.True(sawCancel);
        Assert.DoesNotContain(_server.Read(s => s.Requests.ToArray()), r => r.Path.StartsWith("/api/tasks/t1/", StringComparison.Ordinal));
        Assert.Contains(_server.Read(s => s.Requests.ToArray()), r => r.Method == "DELETE");
    }

    [Fact]
    public async Task Concurrency_is_never_exceeded_even_when_the_server_hands_out_more()
    {
        var running = 0;
        var most = 0;
        var agent = Agent(o => o.Concurrency = 2);
        agent.Handle("work", async (task, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(20, ct); // stands for work; not used to wait for anything
            Interlocked.Decrement(ref running);
            return task.Id;
        });
        _server.ExtraTasksPerPoll = 3;
        for (var i = 0; i < 12; i++)
        {
            _server.Enqueue($"t{i}", "work");
        }

        Run();
        await Eventually.Until(() => Task.FromResult(_server.Read(s => s.Reports.Count)), n => n == 12, Deadline, "12 reports");

        Assert.InRange(most, 1, 2);
        Assert.True(_server.Read(s => s.MaxLeasedAtOnce) > 2, "the fake did hand out more than the slots");
        Assert.All(_server.Read(s => s.Reports.ToList()), r => Assert.Equal("complete", r.Verb));
    }

    [Fact]
    public async Task A_report_that_meets_a_503_is_retried_and_a_409_drops_it()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = Agent();
        agent.Handle("echo", (task, _) => Task.FromResult<object?>(task.Id));
        agent.Handle("gated", async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return "late";
        });
        _server.ReportsToFailWith503 = 1;
        _server.Enqueue("t1", "echo");
        Run();

        Assert.Equal("complete", (await ReportOf("t1")).Verb);
        Assert.Equal(2, _server.Read(s => s.Requests.Count(r => r.Path == "/api/tasks/t1/complete")));

        _server.Enqueue("t2", "gated");
        await started.Task.WaitAsync(Deadline);
        _server.StealLease("t2");
        release.SetResult();
        await Eventually.Until(() => Task.FromResult(agent.RunningTaskIds.Count), n => n == 0, Deadline, "t2 to end");

        Assert.Equal(1, _server.Read(s => s.Requests.Count(r => r.Path == "/api/tasks/t2/complete")));
    }

    [Fact]
    public async Task Progress_goes_out_with_the_lease_token()
    {
        var agent = Agent();
        agent.Handle("steps", async (task, ct) =>
        {
            await task.ReportProgressAsync(50, "half", ct);
            return null;
        });
        _server.Enqueue("t1", "steps");
        Run();

        await ReportOf("t1");

        var progress = _server.Read(s => s.Reports.Single(r => r.Verb == "progress"));
        Assert.Equal(50, (double?)progress.Body["percent"]);
        Assert.Equal("half", (string?)progress.Body["message"]);
        Assert.Equal(_server.Read(s => s.IssuedTokens["t1"]), (string?)progress.Body["leaseToken"]);
    }

    [Fact]
    public async Task Heartbeats_carry_the_running_task_ids()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = Agent(o => o.StopGracePeriod = TimeSpan.FromMilliseconds(50)); // the handler only ends when stopped hard
        agent.Handle("gated", async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        _server.Enqueue("t1", "gated");
        Run();
        await started.Task.WaitAsync(Deadline);

        await Eventually.Until(
            () => Task.FromResult(_server.Read(s => s.Requests.Any(r => r.Path.EndsWith("/heartbeat", StringComparison.Ordinal) && r.Body!["runningTaskIds"]!.AsArray().Any(n => (string?)n == "t1")))),
            seen => seen, Deadline, "a heartbeat naming t1");
    }

    [Fact]
    public void Bad_options_fail_when_the_agent_is_built()
    {
        Assert.Throws<ArgumentException>(() => new TaskEngineAgent(new TaskEngineAgentOptions()));
        Assert.Throws<ArgumentException>(() => new TaskEngineAgent(new TaskEngineAgentOptions { BaseAddress = new("http://x/"), PollWaitSeconds = 61 }));
        Assert.Throws<ArgumentException>(() => new TaskEngineAgent(new TaskEngineAgentOptions { BaseAddress = new("http://x/"), Concurrency = 0 }));
    }

    private TaskEngineAgent Agent(Action<TaskEngineAgentOptions>? configure = null)
    {
        var options = new TaskEngineAgentOptions
        {
            HttpClient = new HttpClient(_server) { BaseAddress = new Uri("http://fake/") },
            Name = "test-agent",
            Concurrency = 2,
            PollWaitSeconds = 1,
            StopGracePeriod = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        _agent = new TaskEngineAgent(options);
        return _agent;
    }

    private void Run() => _run = _agent!.RunAsync(_stop.Token);

    private Task<(string Verb, string TaskId, JsonNode Body)> ReportOf(string taskId) =>
        Eventually.Until(
            () => Task.FromResult(_server.Read(s => s.Reports.FirstOrDefault(r => r.TaskId == taskId && r.Verb != "progress"))),
            r => r.Body is not null,
            Deadline,
            $"a report of {taskId}");

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }
}
