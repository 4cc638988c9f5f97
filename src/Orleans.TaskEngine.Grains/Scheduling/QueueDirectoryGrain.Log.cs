using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Scheduling;

public sealed partial class QueueDirectoryGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Refused} submit(s) to new queues refused since the last count: the cluster has {Queues} queues, its maximum is {MaxQueues} (TaskEngine:Queues:MaxQueues)")]
    private partial void LogRefused(int refused, int queues, int maxQueues);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the queues of the queue index; the count of queues stays as it is until the next refresh")]
    private partial void LogRefreshFailed(Exception exception);
}
