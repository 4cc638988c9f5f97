namespace Orleans.TaskEngine.History;

/// <summary>Finished in the window by outcome; <c>TimedOut</c> and <c>Retried</c> count attempts (a task may count several).</summary>
[GenerateSerializer, Immutable]
public sealed record TaskStatsCounts
{
    [Id(0)] public int Completed { get; init; }
    [Id(1)] public int Failed { get; init; }
    [Id(2)] public int Cancelled { get; init; }
    [Id(3)] public int TimedOut { get; init; }
    [Id(4)] public int Retried { get; init; }
}
