namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Body of <c>POST /api/tasks/{id}/progress</c>.</summary>
internal sealed record TaskProgressReport(string LeaseToken, double? Percent, string? Message);
