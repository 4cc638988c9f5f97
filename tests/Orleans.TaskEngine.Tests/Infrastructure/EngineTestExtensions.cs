using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure;

public static class EngineTestExtensions
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Submits and asserts the submit was accepted; returns the task id.</summary>
    public static async Task<string> SubmitOk(this TaskEngineClusterClient engine, string type, object? payload = null, Func<TaskSubmission, TaskSubmission>? with = null)
    {
        var submission = new TaskSubmission { Type = type, Payload = JsonSerializer.Serialize(payload) };
        if (with is not null)
        {
            submission = with(submission);
        }

        var result = await engine.SubmitAsync(submission);
        Assert.True(result.IsAccepted, $"submit refused: {result.Outcome} {result.Reason}");
        return result.TaskId;
    }

    /// <summary>Waits (server-side, no polling) until the task is finished; fails the test past the deadline.</summary>
    public static async Task<TaskSnapshot> Finished(this TaskEngineClusterClient engine, string taskId, TimeSpan? timeout = null)
    {
        var snapshot = await engine.WaitAsync(taskId, timeout ?? Deadline);
        Assert.NotNull(snapshot);
        Assert.True(snapshot.Status.IsTerminal(), $"task {taskId} still {snapshot.Status} after {timeout ?? Deadline}");
        return snapshot;
    }

    public static Task<TaskSnapshot?> InState(this TaskEngineClusterClient engine, string taskId, TaskState state, TimeSpan? timeout = null) =>
        Eventually.Until(() => engine.GetAsync(taskId), s => s?.Status == state, timeout ?? Deadline, $"task {taskId} to be {state}");
}
