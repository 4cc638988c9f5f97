namespace Orleans.TaskEngine.Http.History;

public sealed record TaskSummaryError(string Kind, string? Message);
