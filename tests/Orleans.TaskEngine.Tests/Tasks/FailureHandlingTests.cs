using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Tasks;

[Collection(SharedClusterCollection.Name)]
public sealed class FailureHandlingTests(SharedEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task An_overrunning_handler_sees_its_token_fire_and_the_attempt_fails_with_timeout()
    {
        var id = await _engine.SubmitOk("hang", null, s => s with { TimeoutSeconds = 1, MaxAttempts = 1 });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(TaskErrorKinds.Timeout, task.Error!.Kind);
        Assert.Equal(1, task.Error.Attempt);
        Assert.InRange(task.FinishedAt!.Value - task.StartedAt!.Value, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await Eventually.Until(() => Task.FromResult(TestProbe.SawCancellation(id)), saw => saw, EngineTestExtensions.Deadline, "the handler's token to fire");
    }

    [Fact]
    public async Task A_handler_that_fails_twice_then_succeeds_completes_after_three_attempts()
    {
        var id = await _engine.SubmitOk("flaky", new { failTimes = 2 });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Completed, task.Status);
        Assert.Equal(3, task.Attempts);
        Assert.Equal("""{"attempt":3}""", task.Result);
        Assert.Equal(2, task.Errors.Count);
        Assert.All(task.Errors, e => Assert.Equal(TaskErrorKinds.Error, e.Kind));
        Assert.Null(task.Error);
        var scheduledForRetry = task.History.Count(e => e.Kind == TaskEventKind.Transition && e.Status == TaskState.Scheduled);
        Assert.Equal(2, scheduledForRetry);
    }

    [Fact]
    public async Task A_handler_that_always_fails_ends_failed_with_each_attempts_error()
    {
        var id = await _engine.SubmitOk("flaky", new { failTimes = 100 });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(3, task.Attempts);
        Assert.Equal([1, 2, 3], task.Errors.Select(e => e.Attempt));
        Assert.All(task.Errors, e => Assert.Equal(TaskErrorKinds.Error, e.Kind));
        Assert.Equal(
            ["InvalidOperationException: flaky failure on attempt 1", "InvalidOperationException: flaky failure on attempt 2", "InvalidOperationException: flaky failure on attempt 3"],
            task.Errors.Select(e => e.Message));
        Assert.Equal(task.Errors[^1], task.Error);
    }

    [Fact]
    public async Task A_permanent_error_is_not_retried()
    {
        var id = await _engine.SubmitOk("bad-payload", null, s => s with { MaxAttempts = 5 });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(1, task.Attempts);
        Assert.Equal(TaskErrorKinds.Permanent, task.Error!.Kind);
        Assert.Equal("the payload lacks a customer id", task.Error.Message);
    }

    [Fact]
    public async Task Retrying_a_failed_task_runs_it_again_and_keeps_its_history()
    {
        var id = await _engine.SubmitOk("bad-payload", null, s => s with { MaxAttempts = 1 });
        var failed = await _engine.Finished(id);

        var retry = await _engine.RetryAsync(id);
        Assert.True(retry.Changed);
        var again = await _engine.Finished(id);

        Assert.Equal(TaskState.Failed, again.Status);
        Assert.Equal(2, again.Attempts);
        Assert.True(again.History.Count > failed.History.Count);
        Assert.Equal(failed.History, again.History.Take(failed.History.Count));

        var completed = await _engine.Finished(await _engine.SubmitOk("echo", 1));
        Assert.False((await _engine.RetryAsync(completed.Id)).Changed);
    }

    [Fact]
    public async Task A_cancelled_pending_task_never_runs()
    {
        var key = $"cancel-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        var blocker = await _engine.SubmitOk("record", new { key = $"{key}-blocker", gate }, s => s with { Queue = "solo" });
        await _engine.InState(blocker, TaskState.Running);
        var victim = await _engine.SubmitOk("record", new { key }, s => s with { Queue = "solo" });
        var after = await _engine.SubmitOk("record", new { key }, s => s with { Queue = "solo" });

        var cancel = await _engine.CancelAsync(victim, "not needed");
        TestProbe.OpenGate(gate);
        await _engine.Finished(after);

        Assert.True(cancel.Changed);
        var task = await _engine.GetAsync(victim);
        Assert.Equal(TaskState.Cancelled, task!.Status);
        Assert.Equal(0, task.Attempts);
        Assert.Equal([after], TestProbe.StartsOf(key));
    }

    [Fact]
    public async Task A_cancelled_running_task_sees_its_token_fire()
    {
        var id = await _engine.SubmitOk("hang");
        await _engine.InState(id, TaskState.Running);
        // Running is the task's word; the handler starts a moment later, off the worker's turn. A cancel before that
        // rightly skips the handler, and there would be no token for it to see.
        await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(HangingHandler.StartKey).Contains(id)), started => started, EngineTestExtensions.Deadline, "the handler to start");

        var cancel = await _engine.CancelAsync(id);

        Assert.True(cancel.Changed);
        Assert.Equal(TaskState.Cancelled, cancel.Task!.Status);
        await Eventually.Until(() => Task.FromResult(TestProbe.SawCancellation(id)), saw => saw, EngineTestExtensions.Deadline, "the handler's token to fire");
        Assert.Equal(TaskState.Cancelled, (await _engine.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Cancelling_a_finished_task_changes_nothing_and_says_so()
    {
        var id = await _engine.SubmitOk("echo", 1);
        var done = await _engine.Finished(id);

        var cancel = await _engine.CancelAsync(id);

        Assert.False(cancel.Changed);
        Assert.Contains("already completed", cancel.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.Completed, cancel.Task!.Status);
        Assert.Equal(done.History.Count, cancel.Task.History.Count);
    }

    [Theory]
    [InlineData(1, 100, 50, 100)]
    [InlineData(2, 100, 100, 200)]
    [InlineData(4, 100, 400, 800)]
    [InlineData(30, 100, 500, 1000)]
    public void Retry_backoff_grows_exponentially_with_jitter_and_stays_under_its_cap(int failures, int baseMs, int minMs, int maxMs)
    {
        var random = new Random(failures);
        var delays = Enumerable.Range(0, 200)
            .Select(_ => RetryBackoff.Compute(failures, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(1000), random).TotalMilliseconds)
            .ToList();

        Assert.All(delays, d => Assert.InRange(d, minMs, maxMs));
        Assert.True(delays.Distinct().Count() > 100, "no jitter");
    }
}
