using Orleans.Runtime;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>Whether the queue may take new tasks (the cap on queues), and the start of serving it.</summary>
public sealed partial class SchedulerGrain
{
    /// <summary>Asks the directory once; null when it cannot say (the queue index is unavailable, or its silo is).</summary>
    private async Task<bool?> AskAdmissionAsync()
    {
        try
        {
            return await GrainFactory.GetGrain<IQueueDirectoryGrain>(0).Admit(Queue);
        }
        catch (Exception ex) when (ex is TaskEngineUnavailableException or OrleansException or TimeoutException)
        {
            LogAdmissionUnknown(ex, Queue);
            return null;
        }
    }

    /// <summary>A new submit to a queue whose admission is not known to be yes: only the first of an activation, or a refusal.</summary>
    private async Task<EnqueueResult> AdmitThenEnqueueAsync(QueueEntry entry) =>
        await RefuseIfNotAdmittedAsync() ?? EnqueueAdmitted(entry, isNewSubmit: true);

    private async Task<EnqueueResult> AdmitSlowAsync() =>
        await RefuseIfNotAdmittedAsync() ?? new EnqueueResult { Accepted = true, Pending = _ready.Count };

    /// <summary>The refusal when the queue may not take new tasks; null when it may.</summary>
    private async Task<EnqueueResult?> RefuseIfNotAdmittedAsync()
    {
        if (_admitted is null)
        {
            _admitted = await AskAdmissionAsync()
                ?? throw new TaskEngineUnavailableException($"Queue '{Queue}' cannot tell whether it may take new tasks: the count of queues is unavailable. Try again.");
            if (_admitted == true)
            {
                await Serving();
            }
        }

        if (_admitted == true)
        {
            return null;
        }

        // Nothing to keep: the caller may name new queues without end, and each refusal must not leave an activation.
        DeactivateOnIdle();
        return new EnqueueResult
        {
            Accepted = false,
            QueueLimitReached = true,
            Pending = _ready.Count,
            Reason = $"Queue '{Queue}' is new and the cluster already has its maximum of {_options.MaxQueues} queues (TaskEngine:Queues:MaxQueues).",
        };
    }

    /// <summary>
    /// A task of this queue turned up (re-driven, woken by the keeper, or reported by a worker): the queue exists, so it
    /// is served and counted, past the cap if need be (the directory learns it now rather than at its next refresh).
    /// </summary>
    private void AdmitExisting()
    {
        if (_admitted != true)
        {
            _admitted = true;
            GrainFactory.GetGrain<IQueueDirectoryGrain>(0).Register(Queue).Ignore();
        }

        Serving().Ignore();
    }

    /// <summary>Starts serving the queue, once per activation (again only after a start that failed).</summary>
    private Task Serving()
    {
        if (_serving is null || _serving.IsFaulted)
        {
            _serving = StartServingAsync();
        }

        return _serving;
    }

    private async Task StartServingAsync()
    {
        // Not kept alive by the timer (see the class summary).
        _maintenance ??= this.RegisterGrainTimer(
            _ => MaintainAsync(),
            new GrainTimerCreationOptions { DueTime = _options.MaintenanceInterval, Period = _options.MaintenanceInterval, Interleave = true });
        NewlyDeadSilos();
        var readAt = _time.GetUtcNow();
        var workers = await GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers();
        await LearnRunningTasksAsync(workers);
        UpdateWorkers(workers, readAt);
        await RebuildAsync();
    }

    /// <summary>
    /// Before the first rebuild of an activation: the tasks of this queue that live workers are running. The index lists
    /// them as unfinished, and a fresh activation has given out nothing yet, so without this the rebuild would queue
    /// them again: entries at the head of the line that take a slot each for a refused start. A worker that does not
    /// answer in time is left out; so are workers of silos that are not active, whose tasks the rebuild puts back on
    /// purpose: dispatching one wakes its task, whose liveness check finds the worker gone and sends it back to pending.
    /// </summary>
    private async Task LearnRunningTasksAsync(WorkerRegistration[] workers)
    {
        var exclusive = _options.IsExclusive(Queue);
        var snapshot = _membership.CurrentSnapshot;
        var asks = workers
            .Where(w => w.Serves(Queue, exclusive) && (w.IsAgent || (WorkerKey.TryParseSilo(w.WorkerId, out var silo) && snapshot.GetSiloStatus(silo) == SiloStatus.Active)))
            .Select(AskAsync)
            .ToList();
        foreach (var (workerId, taskIds) in await Task.WhenAll(asks))
        {
            foreach (var taskId in taskIds)
            {
                _running.TryAdd(taskId, workerId);
            }
        }

        async Task<(string WorkerId, string[] TaskIds)> AskAsync(WorkerRegistration worker)
        {
            try
            {
                return (worker.WorkerId, await Runner(worker.IsAgent, worker.WorkerId).GetRunningTasks(Queue).WaitAsync(WorkerCallTimeout));
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                LogRunningTasksUnknown(Queue, worker.WorkerId, ex.Message);
                return (worker.WorkerId, []);
            }
        }
    }
}
