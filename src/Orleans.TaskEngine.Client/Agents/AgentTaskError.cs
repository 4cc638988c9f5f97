namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Why a task failed: the message, the exception's type name as the kind, and whether a retry can help.</summary>
internal sealed record AgentTaskError(string Message, string? Kind, bool? Permanent);
