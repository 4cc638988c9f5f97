using Orleans.Runtime;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Tasks;

/// <summary>The task grain's side of the engine's own protocol (<see cref="ITaskProtocolGrain"/>), its reminder and its timers' commands.</summary>
public sealed partial class TaskGrain
{
    public async Task<StartResult> TryStart(string workerId, string silo)
    {
        if (!Exists)
        {
            // Only a queue index record (of a submit that failed half-way) can have led here: drop it.
            await ForgetIndexRecordAsync();
            DeactivateOnIdle();
            return new StartResult { Reason = "No such task." };
        }

        var transition = _machine.Start(_durable, workerId, silo, Moment);
        if (!transition.Applied)
        {
            if (_durable.Status.IsTerminal())
            {
                // A rebuilt queue met a task whose finish did not reach the index (a crash in between): record it now.
                await SaveFinishedRecordAsync();
            }

            return new StartResult { Reason = transition.Message };
        }

        var queue = _durable.Submission!.Queue;
        var readySince = new DateTimeOffset(_durable.QueueSequence, TimeSpan.Zero);
        await ApplyAsync(transition);
        _instruments.Started(queue, _durable.Submission!.Type, Now - readySince);
        var submission = _durable.Submission!;
        return new StartResult
        {
            WorkItem = new TaskWorkItem
            {
                TaskId = Id,
                Type = submission.Type,
                Payload = submission.Payload,
                Attempt = _durable.Attempts,
                MaxAttempts = submission.MaxAttempts,
                TimeoutSeconds = submission.TimeoutSeconds,
            },
        };
    }

    // Worker reports carry no snapshot: the worker does not need one, and it would cost a copy of the history.
    public Task<CommandResult> ReportCompleted(int attempt, string? result, bool withSnapshot = false) =>
        CommandAsync(_machine.Complete(_durable, attempt, result, Moment), withSnapshot);

    public Task<CommandResult> ReportFailed(int attempt, TaskError error, bool withSnapshot = false) =>
        CommandAsync(_machine.Fail(_durable, attempt, error, Moment), withSnapshot);

    public async Task ReportProgress(int attempt, TaskProgress progress)
    {
        var transition = _machine.Progress(_durable, attempt, progress, Moment);
        if (!transition.Applied)
        {
            return;
        }

        try
        {
            await ApplyAsync(transition);
        }
        catch (TaskEngineUnavailableException ex)
        {
            // One-way: nobody waits for the answer. The report is lost, never half-seen: its sequence number was not taken.
            LogProgressDropped(ex, Id, attempt);
        }
    }

    public Task<CommandResult> WorkerLost(string workerId) =>
        CommandAsync(_machine.WorkerLost(_durable, workerId, $"worker {workerId} on {_durable.Silo} is gone", Moment));

    public Task<TaskState?> GetStoredStatus()
    {
        ReleaseIfSettled();
        return Task.FromResult(Exists ? _durable.Status : (TaskState?)null);
    }

    public async Task<TaskState?> AddDependent(string dependentTaskId)
    {
        var transition = _machine.AddDependent(_durable, dependentTaskId);
        if (transition.Applied)
        {
            await ApplyAsync(transition);
        }

        return Exists ? _durable.Status : null;
    }

    public async Task DependencyFinished(string dependencyTaskId, TaskState status)
    {
        var transition = _machine.DependencyFinished(_durable, dependencyTaskId, status, Moment);
        if (transition.Applied)
        {
            await ApplyAsync(transition);
        }
    }

    public async Task Expire()
    {
        if (!Exists)
        {
            await ForgetIndexRecordAsync();
            DeactivateOnIdle();
            return;
        }

        var transition = _machine.Expire(_durable, Moment);
        if (transition.Applied)
        {
            await ApplyAsync(transition);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WatchdogReminderName)
        {
            return;
        }

        if (!Exists)
        {
            await RemoveWatchdogAsync();
            DeactivateOnIdle();
            return;
        }

        if (_durable.Status == TaskState.Scheduled)
        {
            await WakeAsync();
            return;
        }

        if (_durable.CallbackPending)
        {
            // A finished task whose callback is not delivered yet: this activation may be new (a crash lost the last).
            ArmCallbackTimer();
            return;
        }

        // The task no longer waits for a time or a dependency: what keeps it going now is its state's own mechanism
        // (pending: its queue index record; running: its liveness check; finished: its expiry in the index).
        // Stale since a delivered or given-up callback, or a retry: it goes now.
        await RemoveWatchdogAsync();
    }

    private async Task WakeAsync()
    {
        if (_durable.Status != TaskState.Scheduled)
        {
            return;
        }

        if (_durable.WaitingOn.Count > 0)
        {
            // A dependency's notice may have been lost with a silo: ask again.
            await SubscribeToDependenciesAsync();
            return;
        }

        var transition = _machine.Wake(_durable, Moment);
        if (transition.Applied)
        {
            await ApplyAsync(transition);
        }
        else
        {
            ArmWakeTimer();
        }
    }

    private async Task CheckWorkerAsync()
    {
        if (_durable.Status != TaskState.Running || _durable.WorkerId is not { } workerId)
        {
            return;
        }

        var attempt = _durable.Attempts;
        bool running;
        try
        {
            running = await Runner(workerId).IsRunning(Id, attempt).WaitAsync(WorkerCallTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or SiloUnavailableException or OrleansException)
        {
            // Unknown yet (the silo may be dying): the next check decides once membership has.
            LogWorkerUnreachable(Id, workerId, ex.Message);
            return;
        }

        if (!running && _durable.Status == TaskState.Running && _durable.WorkerId == workerId && _durable.Attempts == attempt)
        {
            LogWorkerLost(Id, workerId, _durable.Silo);
            var transition = _machine.WorkerLost(_durable, workerId, $"worker {workerId} on {_durable.Silo} no longer runs attempt {attempt}", Moment);
            if (transition.Applied)
            {
                await ApplyAsync(transition);
            }
        }
    }

    private async Task OnTimeoutAsync()
    {
        var transition = _machine.Timeout(_durable, Moment);
        if (transition.Applied)
        {
            await ApplyAsync(transition);
        }
    }
}
