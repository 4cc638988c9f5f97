using Orleans.Runtime;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Places a worker grain on the silo its key names (<see cref="WorkerKey"/>), whoever calls it first. What a worker runs
/// is known only on its own silo (<see cref="WorkerLedgers"/>); an activation made elsewhere, say by a task grain's
/// liveness check after the worker's activation went away, would answer that nothing runs and the task would run twice.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkerSiloPlacement : PlacementStrategy
{
    internal static WorkerSiloPlacement Singleton { get; } = new();
}
