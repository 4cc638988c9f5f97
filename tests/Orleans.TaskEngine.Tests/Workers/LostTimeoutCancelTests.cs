using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Infrastructure.Faults;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>
/// The task grain fails a timed-out attempt and only then tells the worker to cancel it; when that write fails, the
/// cancel is never sent. The worker must still let the slot of a handler that ignores its token go on its own clock.
/// </summary>
[Collection(FaultyClusterCollection.Name)]
public sealed class LostTimeoutCancelTests(FaultyEngineCluster fixture)
{
    private const string Solo = "solo";
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_worker_whose_timeout_cancel_never_came_frees_the_slot_of_a_stubborn_handler_and_the_attempt_fails_as_timeout()
    {
        await Eventually.Until(() => _engine.GetQueueAsync(Solo), q => q.FreeSlots == 1 && q.Running == 0, EngineTestExtensions.Deadline, "the solo queue to be idle");
        var key = $"stubborn-lost-cancel-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        var id = TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.FailBefore, when: s => ((TaskGrainState)s!).Status == TaskState.Failed);
        try
        {
            var submitted = await _engine.SubmitAsync(
                new TaskSubmission { Type = "stubborn", Payload = $$"""{"key":"{{key}}","gate":"{{gate}}"}""", Queue = Solo, TimeoutSeconds = 1, MaxAttempts = 1 }, id);
            Assert.True(submitted.IsAccepted);
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 1, EngineTestExtensions.Deadline, "the handler to start");

            // Only the queue is watched here: reading the task would reactivate it and re-arm its timeout, which would
            // send the cancel after all. The queue's own rebuild (1 min) comes after this deadline.
            await Eventually.Until(async () => fault.Fired == 1 ? await _engine.GetQueueAsync(Solo) : null,
                q => q is { FreeSlots: 1, Running: 0 }, TimeSpan.FromSeconds(40), "the worker to free the slot by itself");
            Assert.Empty(TestProbe.ReturnsOf(key));

            var task = await _engine.InState(id, TaskState.Failed);
            Assert.Equal(1, task!.Attempts);
            Assert.Equal(TaskErrorKinds.Timeout, task.Error!.Kind);
        }
        finally
        {
            TestProbe.OpenGate($"{gate}-1");
        }
    }
}
