namespace Orleans.TaskEngine.Workers;

[GenerateSerializer, Immutable]
public sealed record AssignResult
{
    /// <summary>
    /// How many of the tasks handed over, from the first, the worker took. It stops at the first it cannot take (it is
    /// full, not running, or runs that task already); the scheduler keeps that one and the rest.
    /// </summary>
    [Id(0)] public int Accepted { get; init; }

    [Id(1)] public int FreeSlots { get; init; }
}
