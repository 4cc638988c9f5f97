using System.Text.Json;
using Orleans.Core.Internal;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Infrastructure.Faults;

namespace Orleans.TaskEngine.Tests.Promise;

/// <summary>Issue 12, visible before durable: callers see a transition only once its write succeeded.</summary>
[Collection(FaultyClusterCollection.Name)]
public sealed class VisibleWhenDurableTests(FaultyEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task While_a_completion_is_being_written_readers_and_event_streams_see_the_task_still_running()
    {
        var gate = "durable-gate-" + Guid.NewGuid().ToString("N");
        var id = Client.TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.HoldThenFail, when: s => ((TaskGrainState)s!).Status == TaskState.Completed);
        var accepted = await _engine.SubmitAsync(new TaskSubmission { Type = "record", Payload = JsonSerializer.Serialize(new { key = gate, gate }) }, id);
        Assert.True(accepted.IsAccepted, accepted.Reason);
        var running = await _engine.InState(id, TaskState.Running);
        var lastSeen = running!.History[^1].Sequence;

        TestProbe.OpenGate(gate);
        await fault.Reached.WaitAsync(EngineTestExtensions.Deadline);

        // The completion is in flight: not stored yet, so not visible.
        Assert.Equal(TaskState.Running, (await _engine.GetAsync(id))!.Status);
        var page = await fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>(id).WaitForEvents(lastSeen, TimeSpan.FromMilliseconds(300));
        Assert.Empty(page!.Events);
        Assert.False(page.Finished);

        // The write fails; the worker's report is retried or the task re-runs, but no reader ever saw "completed" before it was stored.
        fault.Release();
        var finished = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, finished.Status);
    }

    [Fact]
    public async Task Progress_events_are_stored_so_their_sequence_numbers_survive_the_activation_and_are_never_reused()
    {
        var gate = "progress-gate-" + Guid.NewGuid().ToString("N");
        var id = await _engine.SubmitOk("progress-gate", new { gate });
        var before = await Eventually.Until(
            () => _engine.GetAsync(id), t => t!.History.Any(e => e.Kind == TaskEventKind.Progress), EngineTestExtensions.Deadline, "the first progress report");
        var progress = before!.History.Single(e => e.Kind == TaskEventKind.Progress);

        // The activation goes (as it does when its silo is under memory pressure, or a write failed); the next read comes from storage.
        var grain = fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>(id);
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var reread = await Eventually.Until(
            () => _engine.GetAsync(id), t => t is not null, EngineTestExtensions.Deadline, "the task read again");
        Assert.Contains(reread!.History, e => e.Kind == TaskEventKind.Progress && e.Sequence == progress.Sequence && e.Message == "before");

        TestProbe.OpenGate(gate);
        var done = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, done.Status);
        var sequences = done.History.Select(e => e.Sequence).ToList();
        Assert.Equal(sequences.Distinct().Count(), sequences.Count);
        Assert.Contains(done.History, e => e.Sequence == progress.Sequence && e.Message == "before");
    }
}
