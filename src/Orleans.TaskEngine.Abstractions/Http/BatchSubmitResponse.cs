namespace Orleans.TaskEngine.Http;

public sealed record BatchSubmitResponse(IReadOnlyList<TaskAccepted> Tasks)
{
    /// <summary>The batch's id when the request had a <c>callback</c>; absent otherwise.</summary>
    public string? BatchId { get; init; }
}
