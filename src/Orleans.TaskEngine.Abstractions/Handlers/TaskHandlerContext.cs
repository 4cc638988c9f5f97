using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Handlers;

/// <summary>What a handler gets for one attempt.</summary>
public sealed class TaskHandlerContext
{
    public required string TaskId { get; init; }
    public required string Type { get; init; }

    /// <summary>The payload the caller submitted.</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>1 for the first run, then 2, 3, …</summary>
    public int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    /// <summary>Reports progress; it shows in the task's history and event stream.</summary>
    public required IProgress<TaskProgress> Progress { get; init; }
}
