using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>
/// What a task's state write adds to the audit log, in the same write: its summary, its new events, the highest event
/// sequence the log then holds (the state's last event), and the time of the incarnation's latest failed attempt.
/// </summary>
public sealed record TaskAuditRows(TaskSummary Summary, IReadOnlyList<TaskEvent> Events, long AuditedThrough, DateTimeOffset? LastErrorAt);
