using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.History;

/// <summary>What a task's state write adds to the audit log, in the same write: its summary and its new events.</summary>
public sealed record TaskAuditRows(TaskSummary Summary, IReadOnlyList<AuditEvent> Events);
