using System.Diagnostics;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Infrastructure.Faults;

namespace Orleans.TaskEngine.Tests.Promise;

/// <summary>Issue 12, lost or stranded tasks: tasks that wait for a time or for dependencies.</summary>
[Collection(FaultyClusterCollection.Name)]
public sealed class WaitingTaskFaultTests(FaultyEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_delayed_task_whose_watchdog_cannot_be_registered_is_refused_and_not_left_without_a_waker()
    {
        // Beyond the watchdog period (5 s in tests), only the reminder would wake it.
        var id = Client.TaskEngineClusterClient.NewTaskId();
        var submission = new TaskSubmission { Type = "echo", Payload = "1", DelaySeconds = 6 };
        using (var fault = StoreFaults.Arm(StoreOperation.ReminderUpsert, id, FaultKind.FailBefore))
        {
            var error = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => _engine.SubmitAsync(submission, id));
            Assert.Contains("Nothing was changed", error.Message, StringComparison.Ordinal);
            Assert.Equal(1, fault.Fired);
        }

        Assert.Null(await _engine.GetAsync(id));

        // Once the reminder service is back, the same submit is taken and the task runs when due.
        var accepted = await _engine.SubmitAsync(submission, id);
        Assert.True(accepted.IsAccepted, accepted.Reason);
        Assert.Equal(TaskState.Completed, (await _engine.Finished(id)).Status);
    }

    [Fact]
    public async Task A_submit_whose_dependency_subscription_fails_after_the_write_is_accepted_and_runs_when_the_dependency_completes()
    {
        var gate = "dependency-gate-" + Guid.NewGuid().ToString("N");
        var dependency = await _engine.SubmitOk("record", new { key = gate, gate });
        var id = Client.TaskEngineClusterClient.NewTaskId();

        // The dependency cannot store that it has a new dependent, once.
        using (var fault = StoreFaults.Arm(StoreOperation.StateWrite, dependency, FaultKind.FailBefore, when: s => ((TaskGrainState)s!).Dependents.Contains(id)))
        {
            var result = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "2", DependsOn = [dependency] }, id);
            Assert.Equal(SubmitOutcome.Accepted, result.Outcome);
            Assert.Equal(1, fault.Fired);
        }

        Assert.Equal(TaskState.Scheduled, (await _engine.GetAsync(id))!.Status);
        TestProbe.OpenGate(gate);
        Assert.Equal(TaskState.Completed, (await _engine.Finished(dependency)).Status);

        // Its watchdog (5 s in tests) asks again, so the dependent learns of the completion.
        var task = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, task.Status);
    }

    [Fact]
    public async Task Two_tasks_that_name_each_other_submitted_at_once_are_answered_at_once_and_not_both_taken()
    {
        var a = Client.TaskEngineClusterClient.NewTaskId();
        var b = Client.TaskEngineClusterClient.NewTaskId();
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(
            _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "1", DependsOn = [b] }, a),
            _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "2", DependsOn = [a] }, b));
        watch.Stop();

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Contains(results, r => r.Outcome == SubmitOutcome.Invalid);
        Assert.All(results.Where(r => r.Outcome == SubmitOutcome.Invalid), r => Assert.Contains("does not exist", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_submit_that_depends_on_a_task_that_does_not_exist_or_on_itself_is_refused_and_creates_nothing()
    {
        var missing = Client.TaskEngineClusterClient.NewTaskId();
        var id = Client.TaskEngineClusterClient.NewTaskId();
        var refused = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "1", DependsOn = [missing] }, id);
        Assert.Equal(SubmitOutcome.Invalid, refused.Outcome);
        Assert.Contains(missing, refused.Reason, StringComparison.Ordinal);
        Assert.Null(await _engine.GetAsync(id));

        var self = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "1", DependsOn = [id] }, id);
        Assert.Equal(SubmitOutcome.Invalid, self.Outcome);
        Assert.Null(await _engine.GetAsync(id));
    }

    [Fact]
    public async Task A_retry_whose_watchdog_cannot_be_registered_is_not_lost()
    {
        // The first attempt fails; going back to scheduled needs the watchdog, which fails twice.
        var id = Client.TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.ReminderUpsert, id, FaultKind.FailBefore, times: 2);
        var accepted = await _engine.SubmitAsync(new TaskSubmission { Type = "flaky", Payload = JsonSerializer.Serialize(new { failTimes = 1 }) }, id);
        Assert.True(accepted.IsAccepted, accepted.Reason);

        var task = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, task.Status);
        Assert.True(fault.Fired >= 1, "the fault never fired");
    }
}
