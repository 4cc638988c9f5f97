namespace Orleans.TaskEngine.Workers;

/// <summary>What a silo tells a worker grain it starts on itself.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerConfiguration
{
    [Id(0)] public required string Silo { get; init; }
    [Id(1)] public int Concurrency { get; init; }
    [Id(2)] public IReadOnlyList<string> Queues { get; init; } = [];
}
