namespace Orleans.TaskEngine.Batches;

/// <summary>A batch's members by status; <c>scheduled</c> members count as pending.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchCounts
{
    [Id(0)] public int Pending { get; init; }
    [Id(1)] public int Running { get; init; }
    [Id(2)] public int Completed { get; init; }
    [Id(3)] public int Failed { get; init; }
    [Id(4)] public int Cancelled { get; init; }
}
