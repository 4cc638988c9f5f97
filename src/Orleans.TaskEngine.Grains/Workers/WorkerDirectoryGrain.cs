using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Who serves work right now: in-silo workers and agents. Soft state: both heartbeat every few seconds, so a lost
/// activation is rebuilt within one heartbeat. A worker drops out when its silo is not active or its heartbeats stop; an
/// agent when its own grain says it left or died, or when its registration is not renewed within its own stale time.
/// </summary>
public sealed class WorkerDirectoryGrain(IClusterMembershipService membership, IOptions<WorkerOptions> options, TimeProvider time)
    : Grain, IWorkerDirectoryGrain
{
    private readonly Dictionary<string, WorkerRegistration> _workers = new(StringComparer.Ordinal);

    public Task Register(WorkerRegistration registration)
    {
        _workers[registration.WorkerId] = registration with { LastSeen = time.GetUtcNow() };
        return Task.CompletedTask;
    }

    public Task Unregister(string workerId)
    {
        _workers.Remove(workerId);
        return Task.CompletedTask;
    }

    public Task<WorkerRegistration[]> GetWorkers()
    {
        var snapshot = membership.CurrentSnapshot;
        var staleBefore = time.GetUtcNow() - (options.Value.HeartbeatInterval * 3);
        foreach (var (id, registration) in _workers.ToList())
        {
            if (registration.StaleAfter is { } staleAfter)
            {
                if (registration.LastSeen < time.GetUtcNow() - staleAfter)
                {
                    _workers.Remove(id);
                }

                continue;
            }

            var silo = WorkerKey.TryParseSilo(id, out var address) ? snapshot.GetSiloStatus(address) : SiloStatus.None;
            if (silo is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping || registration.LastSeen < staleBefore)
            {
                _workers.Remove(id);
            }
        }

        return Task.FromResult(_workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToArray());
    }
}
