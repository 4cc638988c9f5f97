namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Body of <c>POST /api/tasks/{id}/fail</c>.</summary>
internal sealed record TaskFailureReport(string LeaseToken, AgentTaskError Error);
