using Orleans.Runtime;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The scheduler's view of who runs its tasks: in-silo workers and agents alike, each with its slots and the task types
/// it declares. Learned from the worker directory on the maintenance tick, and pushed at once when an agent registers or
/// leaves (<see cref="WorkerJoined"/>, <see cref="WorkerLeft"/>), so neither waits for a tick.
/// </summary>
public sealed partial class SchedulerGrain
{
    // Pushed joins and leaves, by when they arrived: a directory read that started before one must not undo it.
    private readonly Dictionary<string, DateTimeOffset> _pushedJoins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pushedLeaves = new(StringComparer.Ordinal);

    public Task WorkerJoined(WorkerRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);

        // Not an admission: an agent naming a queue does not create it past the cap on queues; it just waits there.
        _pushedLeaves.Remove(registration.WorkerId);
        _pushedJoins[registration.WorkerId] = _time.GetUtcNow();
        if (registration.Serves(Queue, _options.IsExclusive(Queue)))
        {
            AddOrUpdateWorker(registration);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task WorkerLeft(string workerId)
    {
        _pushedJoins.Remove(workerId);
        _pushedLeaves[workerId] = _time.GetUtcNow();
        if (_workers.Remove(workerId))
        {
            LogWorkerRemoved(Queue, workerId);
        }

        return Task.CompletedTask;
    }

    private void ReleaseSlots(string workerId, int count)
    {
        if (_workers.TryGetValue(workerId, out var slots))
        {
            slots.Free = Math.Min(slots.Free + count, slots.Registration.Concurrency);
            slots.Blocked = false;
        }
    }

    public Task WorkerAvailable(string workerId, int freeSlots)
    {
        if (_serving is null)
        {
            AdmitExisting();
        }

        if (_workers.TryGetValue(workerId, out var slots))
        {
            slots.Blocked = false;
            slots.Free = Math.Max(slots.Free, Math.Min(freeSlots, slots.Registration.Concurrency));
        }

        Pump();
        return Task.CompletedTask;
    }

    public async Task RefreshWorkers(WorkerRegistration[]? workers = null)
    {
        if (_serving is null)
        {
            AdmitExisting();
        }

        await Serving();
        var readAt = _time.GetUtcNow();
        UpdateWorkers(workers ?? await GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers(), readAt);
    }

    /// <param name="workers">The directory's list.</param>
    /// <param name="readAt">When the read of that list started: pushes that came later win over it.</param>
    private void UpdateWorkers(WorkerRegistration[] workers, DateTimeOffset readAt)
    {
        var exclusive = _options.IsExclusive(Queue);
        var serving = workers
            .Where(w => w.Serves(Queue, exclusive) && !(_pushedLeaves.TryGetValue(w.WorkerId, out var left) && left >= readAt))
            .ToDictionary(w => w.WorkerId, StringComparer.Ordinal);

        foreach (var gone in _workers.Keys.Where(id => !serving.ContainsKey(id)).ToList())
        {
            if (_pushedJoins.TryGetValue(gone, out var joined) && joined >= readAt)
            {
                continue;
            }

            _workers.Remove(gone);
            LogWorkerRemoved(Queue, gone);
        }

        foreach (var registration in serving.Values)
        {
            AddOrUpdateWorker(registration);
        }

        ForgetOldPushes(readAt);
        ReleaseTasksOfDeadWorkers();
        Pump();
    }

    private void AddOrUpdateWorker(WorkerRegistration registration)
    {
        if (_workers.TryGetValue(registration.WorkerId, out var known))
        {
            known.Registration = registration;
            if (known.Blocked)
            {
                // A worker that refused work is tried again on every refresh: it may have been restarted as a fresh
                // activation (after a silo death elsewhere) that knows nothing of the refusal. A worker still full just
                // refuses once more.
                known.Blocked = false;
                known.Free = Math.Max(0, registration.Concurrency - _running.Values.Count(id => id == registration.WorkerId));
            }

            return;
        }

        var busy = _running.Values.Count(id => id == registration.WorkerId);
        _workers[registration.WorkerId] = new WorkerSlots(registration) { Free = Math.Max(0, registration.Concurrency - busy) };
        LogWorkerAdded(Queue, registration.WorkerId, registration.Silo);
    }

    /// <summary>A push older than a directory read that started after it is in that read already (or undone since).</summary>
    private void ForgetOldPushes(DateTimeOffset readAt)
    {
        var horizon = readAt - _options.MaintenanceInterval;
        foreach (var id in _pushedJoins.Where(p => p.Value < horizon).Select(p => p.Key).ToList())
        {
            _pushedJoins.Remove(id);
        }

        foreach (var id in _pushedLeaves.Where(p => p.Value < horizon).Select(p => p.Key).ToList())
        {
            _pushedLeaves.Remove(id);
        }
    }

    /// <summary>
    /// A task given to a worker whose silo membership has declared dead will never be reported: tell the task,
    /// which wakes it even if its own activation died too, and it goes back to pending. An agent's tasks are its own
    /// grain's to give back when it misses its heartbeats (or, should that grain be lost too, the tasks' liveness checks).
    /// </summary>
    private void ReleaseTasksOfDeadWorkers()
    {
        if (_running.Count == 0)
        {
            return;
        }

        var snapshot = _membership.CurrentSnapshot;
        foreach (var (taskId, workerId) in _running.ToList())
        {
            if (_workers.ContainsKey(workerId) || !WorkerKey.TryParseSilo(workerId, out var silo))
            {
                continue;
            }

            var status = snapshot.GetSiloStatus(silo);
            if (status is SiloStatus.Dead or SiloStatus.None)
            {
                _running.Remove(taskId);
                LogTaskOfDeadWorker(Queue, taskId, workerId);
                GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId).WorkerLost(workerId).Ignore();
            }
        }
    }

    private ITaskRunnerGrain Runner(bool isAgent, string workerId) => isAgent
        ? GrainFactory.GetGrainByKey<IAgentGrain>(workerId)
        : GrainFactory.GetGrainByKey<IWorkerGrain>(workerId);

    private bool CanRunNow(string? taskType) => PickWorker(taskType) is not null;

    /// <summary>
    /// The worker with the most free slots that runs <paramref name="taskType"/>; among equals, the one given work
    /// longest ago. Workers and agents compete alike.
    /// </summary>
    private WorkerSlots? PickWorker(string? taskType)
    {
        WorkerSlots? best = null;
        foreach (var candidate in _workers.Values)
        {
            if (candidate.Blocked || candidate.Free <= 0 || !candidate.Registration.Runs(taskType))
            {
                continue;
            }

            if (best is null || candidate.Free > best.Free || (candidate.Free == best.Free && candidate.LastAssigned < best.LastAssigned))
            {
                best = candidate;
            }
        }

        return best;
    }
}
