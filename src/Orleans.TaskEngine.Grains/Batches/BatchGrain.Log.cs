using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

public sealed partial class BatchGrain
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Batch {BatchId} created with {Members} member(s)")]
    private partial void LogCreated(string batchId, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {BatchId} was abandoned before all its members were submitted; it is gone")]
    private partial void LogAbandoned(string batchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {BatchId} finished ({Completed} completed, {Failed} failed, {Cancelled} cancelled); callback task {CallbackTaskId}")]
    private partial void LogFinished(string batchId, string callbackTaskId, int completed, int failed, int cancelled);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Batch {BatchId} finished more than its retention ({Retention}) ago; its state is gone")]
    private partial void LogForgotten(string batchId, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {BatchId} finished but its callback does not fit its queue yet ({Reason}); the batch's reminder tries again")]
    private partial void LogCallbackDeferred(string batchId, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch {BatchId} finished but its callback was refused ({Outcome}: {Reason}); it will not run")]
    private partial void LogCallbackRefused(string batchId, SubmitOutcome outcome, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch {BatchId}: the store did not confirm a write")]
    private partial void LogWriteFailed(Exception exception, string batchId);
}
