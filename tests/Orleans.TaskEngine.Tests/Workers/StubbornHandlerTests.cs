using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>
/// A handler that ignores its cancellation token (issue 12, case 13) must not hold its slot forever: after the task's
/// timeout and the cancellation grace period (2 s in tests) the worker lets the slot go, and the handler's late result
/// counts for nothing. On the one-slot <c>solo</c> queue, so a held slot shows.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class StubbornHandlerTests(SharedEngineCluster fixture)
{
    private const string Solo = "solo";
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_handler_that_ignores_its_token_frees_its_slot_after_the_timeout_and_grace_and_its_late_result_is_ignored()
    {
        await SoloIdleAsync();
        var key = $"stubborn-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        try
        {
            var id = await _engine.SubmitOk("stubborn", new { key, gate }, s => s with { Queue = Solo, TimeoutSeconds = 1, MaxAttempts = 1 });
            var failed = await _engine.Finished(id);
            Assert.Equal(TaskState.Failed, failed.Status);
            Assert.Equal(TaskErrorKinds.Timeout, failed.Error!.Kind);

            // The handler still blocks, yet its slot is free again and runs other work.
            await Eventually.Until(() => _engine.GetQueueAsync(Solo), q => q.FreeSlots == 1, EngineTestExtensions.Deadline, "the solo slot to be free again");
            Assert.Empty(TestProbe.ReturnsOf(key));
            var other = await _engine.Finished(await _engine.SubmitOk("echo", 1, s => s with { Queue = Solo }));
            Assert.Equal(TaskState.Completed, other.Status);
            Assert.Empty(TestProbe.ReturnsOf(key));

            // When it finally returns, its result changes nothing.
            TestProbe.OpenGate($"{gate}-1");
            await Eventually.Until(() => Task.FromResult(TestProbe.ReturnsOf(key)), r => r.Count == 1, EngineTestExtensions.Deadline, "the stubborn handler to return");
            var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(failed.WorkerId!);
            await Eventually.Until(worker.GetStatus, s => !s.AbandonedTaskIds.Contains(id), EngineTestExtensions.Deadline, "the worker to drop the late result");
            var after = await _engine.GetAsync(id);
            Assert.Equal(TaskState.Failed, after!.Status);
            Assert.Null(after.Result);
            Assert.Equal(failed.History.Count, after.History.Count);
            Assert.Equal([$"{id}/1"], TestProbe.StartsOf(key));
        }
        finally
        {
            TestProbe.OpenGate($"{gate}-1");
        }
    }

    [Fact]
    public async Task The_late_result_of_an_abandoned_attempt_leaves_the_next_attempt_on_the_same_worker_alone()
    {
        await SoloIdleAsync();
        var key = $"stubborn-next-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        try
        {
            // Attempt 1 times out and ignores its token; attempt 2 can only run on the slot attempt 1 held.
            var id = await _engine.SubmitOk("stubborn", new { key, gate }, s => s with { Queue = Solo, TimeoutSeconds = 4, MaxAttempts = 2 });
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 2, EngineTestExtensions.Deadline, "attempt 2 to start on the freed slot");
            Assert.Equal([$"{id}/1", $"{id}/2"], TestProbe.StartsOf(key));
            var running = await _engine.GetAsync(id);
            Assert.Equal(TaskState.Running, running!.Status);
            Assert.Equal(2, running.Attempts);

            // Attempt 1 returns late, on the worker that now runs attempt 2: attempt 2 stays that worker's.
            var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(running.WorkerId!);
            TestProbe.OpenGate($"{gate}-1");
            await Eventually.Until(worker.GetStatus, s => TestProbe.ReturnsOf(key).Count == 1 && !s.AbandonedTaskIds.Contains(id), EngineTestExtensions.Deadline, "the late result to be dropped");
            Assert.True(await worker.IsRunning(id, 2));
            Assert.Equal(TaskState.Running, (await _engine.GetAsync(id))!.Status);

            TestProbe.OpenGate($"{gate}-2");
            var task = await _engine.Finished(id);
            Assert.Equal(TaskState.Completed, task.Status);
            Assert.Equal(2, task.Attempts);
            Assert.Equal("""{"attempt":2}""", task.Result);
        }
        finally
        {
            TestProbe.OpenGate($"{gate}-1");
            TestProbe.OpenGate($"{gate}-2");
        }
    }

    private Task<QueueStatus> SoloIdleAsync() =>
        Eventually.Until(() => _engine.GetQueueAsync(Solo), q => q.FreeSlots == 1 && q.Running == 0, EngineTestExtensions.Deadline, "the solo queue to be idle");
}
