using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// How the audit log's tables spell the task enums: as the API does (camel case), so the rows read as the API's JSON
/// does; constant strings, so writing a row allocates none.
/// </summary>
internal static class AuditText
{
    public static string Status(TaskState status) => status switch
    {
        TaskState.Scheduled => "scheduled",
        TaskState.Pending => "pending",
        TaskState.Running => "running",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a task status."),
    };

    /// <summary>A finished status as <see cref="Status"/> spells it; null while the task is not finished.</summary>
    public static string? Outcome(TaskState status) =>
        status is TaskState.Completed or TaskState.Failed or TaskState.Cancelled ? Status(status) : null;

    public static TaskState ParseStatus(string text) => text switch
    {
        "scheduled" => TaskState.Scheduled,
        "pending" => TaskState.Pending,
        "running" => TaskState.Running,
        "completed" => TaskState.Completed,
        "failed" => TaskState.Failed,
        "cancelled" => TaskState.Cancelled,
        _ => throw new FormatException($"'{text}' is not a task status."),
    };

    public static string Kind(TaskEventKind kind) => kind switch
    {
        TaskEventKind.Transition => "transition",
        TaskEventKind.Progress => "progress",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a task event kind."),
    };

    public static TaskEventKind ParseKind(string text) => text switch
    {
        "transition" => TaskEventKind.Transition,
        "progress" => TaskEventKind.Progress,
        _ => throw new FormatException($"'{text}' is not a task event kind."),
    };
}
