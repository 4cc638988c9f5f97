namespace Orleans.TaskEngine.Http;

public sealed record BatchSubmitResponse(IReadOnlyList<TaskAccepted> Tasks);
