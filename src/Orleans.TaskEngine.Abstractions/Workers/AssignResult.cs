namespace Orleans.TaskEngine.Workers;

[GenerateSerializer, Immutable]
public sealed record AssignResult
{
    /// <summary>False when the worker is full (or not running); the scheduler keeps the task.</summary>
    [Id(0)] public bool Accepted { get; init; }

    [Id(1)] public int FreeSlots { get; init; }
}
