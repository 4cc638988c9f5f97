namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Body of <c>POST /api/tasks/{id}/complete</c>; the result is any JSON value.</summary>
internal sealed record TaskCompletionReport(string LeaseToken, object? Result);
