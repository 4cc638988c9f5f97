using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Carries out <see cref="WorkerSiloPlacement"/>: the silo in the worker's key when it is an active member; otherwise
/// (it died or left) this silo, where the activation is inactive and tells a task that asks that its worker is gone.
/// </summary>
internal sealed class WorkerSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (WorkerKey.TryParseSilo(target.GrainIdentity.Key.ToString()!, out var owner) && compatible.Contains(owner))
        {
            return Task.FromResult(owner);
        }

        if (compatible.Contains(context.LocalSilo) || compatible.Length == 0)
        {
            return Task.FromResult(context.LocalSilo);
        }

        // Spread by the grain's hash rather than at random: any active silo will do.
        return Task.FromResult(compatible[(int)(target.GrainIdentity.GetUniformHashCode() % (uint)compatible.Length)]);
    }
}
