using Orleans.Placement;

namespace Orleans.TaskEngine.Workers;

/// <summary>Marks a grain class as placed by <see cref="WorkerSiloPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkerSiloPlacementAttribute() : PlacementAttribute(WorkerSiloPlacement.Singleton);
