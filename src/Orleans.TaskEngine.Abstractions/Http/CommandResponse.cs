namespace Orleans.TaskEngine.Http;

/// <summary>The answer to cancel and retry.</summary>
public sealed record CommandResponse(bool Changed, string Message, TaskResource? Task);
