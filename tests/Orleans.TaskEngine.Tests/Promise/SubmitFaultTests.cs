using System.Text.Json;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Infrastructure.Faults;

namespace Orleans.TaskEngine.Tests.Promise;

/// <summary>Issue 12, lost or stranded tasks: submits whose writes fail, or fail after the database committed them.</summary>
[Collection(FaultyClusterCollection.Name)]
public sealed class SubmitFaultTests(FaultyEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_submit_whose_state_write_committed_then_failed_still_runs_once_and_a_replay_finds_it()
    {
        var id = Client.TaskEngineClusterClient.NewTaskId();
        var key = "commit-then-fail-" + id;
        var submission = Recording(key) with { Queue = "solo" };

        // The queue's one slot is busy, so the task waits in line while its submit fails.
        var gate = "gate-" + id;
        var blocker = await _engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "solo" });
        await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(gate).Count), n => n == 1, EngineTestExtensions.Deadline, "the blocker to start");
        using (var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.CommitThenFail))
        {
            // The caller cannot know whether the task was created: it must not be told "nothing was changed".
            var error = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => _engine.SubmitAsync(submission, id));
            Assert.DoesNotContain("nothing was changed", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, fault.Fired);
        }

        TestProbe.OpenGate(gate);
        await _engine.Finished(blocker);

        // What was committed is a task, and a task is run: nothing else is called to wake it.
        var task = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, task.Status);

        // The caller's retry (same id, as an Idempotency-Key gives) finds that task and creates nothing.
        var replay = await _engine.SubmitAsync(submission, id);
        Assert.Equal(SubmitOutcome.AlreadyExists, replay.Outcome);
        Assert.Equal([id], TestProbe.StartsOf(key));
    }

    [Fact]
    public async Task A_submit_whose_state_write_failed_leaves_nothing_and_the_same_id_is_free()
    {
        var id = Client.TaskEngineClusterClient.NewTaskId();
        var key = "fail-before-" + id;
        using (StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.FailBefore))
        {
            await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => _engine.SubmitAsync(Recording(key), id));
        }

        Assert.Null(await _engine.GetAsync(id));
        var accepted = await _engine.SubmitAsync(Recording(key), id);
        Assert.True(accepted.IsAccepted, accepted.Reason);
        Assert.Equal(TaskState.Completed, (await _engine.Finished(id)).Status);
        Assert.Equal([id], TestProbe.StartsOf(key));
    }

    private static TaskSubmission Recording(string key) =>
        new() { Type = "record", Payload = JsonSerializer.Serialize(new { key }) };
}
