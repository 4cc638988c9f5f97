namespace Orleans.TaskEngine.Batches;

/// <summary>A batch as <c>GET /api/batches/{id}</c> shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchStatus
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public int Total { get; init; }
    [Id(2)] public required BatchCounts Counts { get; init; }

    /// <summary>Every member has finished (and the callback was submitted).</summary>
    [Id(3)] public bool Finished { get; init; }

    /// <summary>The callback task's id, fixed when the batch is made.</summary>
    [Id(4)] public required string CallbackTaskId { get; init; }
}
