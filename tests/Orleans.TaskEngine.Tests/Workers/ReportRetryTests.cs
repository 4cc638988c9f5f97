using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Infrastructure.Faults;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>
/// A worker's report of an attempt's end meets one database blip (issue 12, case 5): the task must end as the handler
/// said, at attempt 1, without the handler running again.
/// </summary>
[Collection(FaultyClusterCollection.Name)]
public sealed class ReportRetryTests(FaultyEngineCluster fixture)
{
    // Generous: the queue's own rebuild (1 min) would re-drive a lost report too, and must not be what makes these pass.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_completion_report_whose_write_fails_once_is_retried_and_the_task_completes_at_attempt_1_having_run_once()
    {
        var key = $"report-ok-{Guid.NewGuid():N}";
        var id = TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.FailBefore, when: s => ((TaskGrainState)s!).Status == TaskState.Completed);

        await SubmitAsync(id, "record", new { key });
        var task = await _engine.InState(id, TaskState.Completed, Deadline);

        Assert.Equal(1, fault.Fired);
        Assert.Equal(1, task!.Attempts);
        Assert.Empty(task.Errors);
        Assert.Equal([id], TestProbe.StartsOf(key));
    }

    [Fact]
    public async Task A_failure_report_whose_write_fails_once_is_retried_and_the_task_fails_at_attempt_1_having_run_once()
    {
        var key = $"report-failed-{Guid.NewGuid():N}";
        var id = TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.FailBefore, when: s => ((TaskGrainState)s!).Status == TaskState.Failed);

        await SubmitAsync(id, "record", new { key, fail = true });
        var task = await _engine.InState(id, TaskState.Failed, Deadline);

        Assert.Equal(1, fault.Fired);
        Assert.Equal(1, task!.Attempts);
        var error = Assert.Single(task.Errors);
        Assert.Equal(TaskErrorKinds.Permanent, error.Kind);
        Assert.Equal([id], TestProbe.StartsOf(key));
    }

    /// <summary>
    /// The write landed but the worker heard a failure: its retry finds the task moved on, and that ends it. (This one
    /// held before the retry existed, since nothing re-ran a completed task; it guards that the retry stops.)
    /// </summary>
    [Fact]
    public async Task A_completion_report_whose_write_lands_but_fails_the_call_ends_when_the_task_says_it_has_moved_on()
    {
        var key = $"report-landed-{Guid.NewGuid():N}";
        var id = TaskEngineClusterClient.NewTaskId();
        using var fault = StoreFaults.Arm(StoreOperation.StateWrite, id, FaultKind.CommitThenFail, when: s => ((TaskGrainState)s!).Status == TaskState.Completed);

        await SubmitAsync(id, "record", new { key });
        var task = await _engine.InState(id, TaskState.Completed, Deadline);

        Assert.Equal(1, fault.Fired);
        Assert.Equal(1, task!.Attempts);
        Assert.Equal([id], TestProbe.StartsOf(key));
        var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(task.WorkerId!);
        await Eventually.Until(() => worker.IsRunning(id, 1), running => !running, EngineTestExtensions.Deadline, "the worker to let the attempt go");
    }

    private async Task SubmitAsync(string id, string type, object payload)
    {
        var result = await _engine.SubmitAsync(new TaskSubmission { Type = type, Payload = JsonSerializer.Serialize(payload) }, id);
        Assert.True(result.IsAccepted, $"submit refused: {result.Outcome} {result.Reason}");
    }
}
