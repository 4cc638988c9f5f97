using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Tasks;

/// <summary>How the task grain carries out a transition: effects before the write, the write, effects after it.</summary>
public sealed partial class TaskGrain
{
    private IGrainTimer? _timeoutTimer;
    private IGrainTimer? _livenessTimer;
    private IGrainTimer? _wakeTimer;
    private TaskCompletionSource _finished = NewSignal();
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>
    /// Carries out an applied transition. Throws <see cref="TaskEngineUnavailableException"/> when an effect that must
    /// come first or the write fails; callers then see the state as it was stored.
    /// </summary>
    private async Task ApplyAsync(TaskTransition transition)
    {
        if (transition.Has(TaskEffects.Purge))
        {
            await PurgeAsync();
            return;
        }

        await BeforeWriteAsync(transition);
        await WriteAsync(transition.Next!, submitting: false);
        await AfterWriteAsync(transition);
    }

    /// <summary>What must be durable before the state that relies on it: a failure here refuses the transition.</summary>
    private async Task BeforeWriteAsync(TaskTransition transition)
    {
        var next = transition.Next!;
        if (transition.Has(TaskEffects.RegisterWatchdog))
        {
            try
            {
                var every = _options.WatchdogPeriod;
                await this.RegisterOrUpdateReminder(WatchdogReminderName, every, every);
            }
            catch (Exception ex) when (ex is not TaskEngineUnavailableException)
            {
                // A waiting task without its reminder would never wake: refuse rather than store it.
                LogWatchdogFailed(ex, Id);
                throw new TaskEngineUnavailableException(
                    $"The reminder service is unavailable: could not register the watchdog of task {Id} ({ex.GetType().Name}: {ex.Message}). Nothing was changed; try again.");
            }
        }

        if (transition.Has(TaskEffects.SaveReadyRecord))
        {
            // The index record before the state: a crash in between leaves a record of a task that is not pending
            // (dropped or refused when its queue meets it), never a pending task that no queue knows of.
            await _index.SaveAsync(new QueueIndexRecord(Id, next.Submission!.Queue, next.Submission.Priority, next.QueueSequence, null, next.Submission.Type));
        }
    }

    /// <summary>
    /// Stores <paramref name="next"/> and makes it what callers see. On failure the stored state is unknown (the write
    /// may have committed), so the activation goes and the next call reads what is stored.
    /// </summary>
    private async Task WriteAsync(TaskGrainState next, bool submitting)
    {
        // The audit log takes, with this write, the events the stored state does not have yet.
        next.AuditedThrough = _durable.Submission is null || _durable.CreatedAt != next.CreatedAt ? 0 : _durable.LastSequence;
        _state.State = next;
        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex)
        {
            _state.State = _durable;
            DeactivateOnIdle();
            LogStorageFailed(ex, Id);

            // Storage exceptions (e.g. Npgsql's) are not serializable across grain calls: say it in the engine's words.
            // The message is built here only: on the hot path a write succeeds and needs none.
            var unknownOutcome = submitting
                ? $"Task {Id} may or may not have been created: the task store did not confirm the write. Submit again with the same Idempotency-Key to find out; it never creates a second task."
                : $"The task store did not confirm the change to task {Id}; it may or may not have been stored. Read the task to see where it stands.";
            throw new TaskEngineUnavailableException($"{unknownOutcome} ({ex.GetType().Name}: {ex.Message})");
        }

        var wasFinished = _durable.Submission is not null && _durable.Status.IsTerminal();
        _durable = next;
        if (wasFinished && !next.Status.IsTerminal())
        {
            _finished = NewSignal();
        }

        // Wake the event streams waiting for news: only now, when the news is stored.
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    /// <summary>What follows a stored transition. A failure here does not undo it; each effect says what makes up for it.</summary>
    private async Task AfterWriteAsync(TaskTransition transition)
    {
        var state = _durable;
        var queue = state.Submission!.Queue;
        if (transition.Has(TaskEffects.StopRunTimers))
        {
            StopTimer(ref _timeoutTimer);
            StopTimer(ref _livenessTimer);
        }

        if (transition.Has(TaskEffects.ArmRunTimers))
        {
            ArmTimeoutTimer();
            ArmLivenessTimer(_options.LivenessCheckInterval);
        }

        if (transition.Has(TaskEffects.ArmWake))
        {
            ArmWakeTimer();
        }

        if (transition.FailedAttempt is { } failed)
        {
            _instruments.AttemptFailed(queue, state.Submission.Type, failed.Kind, willRetry: !state.Status.IsTerminal());
        }

        if (transition.Has(TaskEffects.Dequeue))
        {
            await Scheduler(queue).Remove(Id);
        }

        if (transition.Has(TaskEffects.Enqueue))
        {
            try
            {
                await Scheduler(queue).Enqueue(EntryFor(state), isNewSubmit: false);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or TaskEngineUnavailableException)
            {
                // The task is pending and its index record is stored: the queue's rebuild puts it back in line.
                LogEnqueueFailed(ex, Id, queue);
            }
        }

        if (transition.Cancel is { } cancel && transition.Has(TaskEffects.CancelOnWorker))
        {
            await Runner(cancel.WorkerId).Cancel(Id, cancel.Attempt, cancel.Reason);
        }

        if (transition.Has(TaskEffects.RemoveRecord))
        {
            // A stray record only costs a refused start; the watchdog wakes the task when its retry is due.
            await ForgetIndexRecordAsync();
        }

        if (transition.Has(TaskEffects.SubscribeToDependencies))
        {
            await SubscribeToDependenciesAsync();
        }

        if (transition.Has(TaskEffects.DeliverCallback))
        {
            ArmCallbackTimer();
        }

        if (transition.Has(TaskEffects.AnnounceFinished))
        {
            await AnnounceFinishedAsync();
        }
    }

    /// <summary>After a terminal state is stored: wake waiters, tell dependents, record the expiry.</summary>
    private async Task AnnounceFinishedAsync()
    {
        var state = _durable;
        _instruments.Finished(state.Submission!.Queue, state.Submission.Type, state.Status,
            state.Status == TaskState.Failed ? state.Errors.LastOrDefault()?.Kind : null, Now - state.CreatedAt,
            state.Status is TaskState.Completed or TaskState.Failed ? Now - state.StartedAt : null);
        LogFinished(Id, state.Status, state.Attempts);
        foreach (var dependent in state.Dependents)
        {
            Protocol(dependent).DependencyFinished(Id, state.Status).Ignore();
        }

        if (state.Submission.BatchId is { } batchId)
        {
            // One-way, as for dependents: a lost message is made up for by the batch's own reminder.
            GrainFactory.GetGrainByKey<Batches.IBatchGrain>(batchId).MemberFinished(Id, state.Status).Ignore();
        }

        _finished.TrySetResult();

        // After the waiters: the stored state is what they need. Until this lands, the index still counts the task
        // as unfinished, which only costs a refused start should its queue be rebuilt.
        await SaveFinishedRecordAsync();
        ReleaseIfSettled();
    }

    /// <summary>
    /// Asks each dependency still waited on to tell this task when it finishes. A failure is not the caller's: the task
    /// is stored and waits, and its watchdog asks again at its next tick.
    /// </summary>
    private async Task SubscribeToDependenciesAsync()
    {
        foreach (var dependency in _durable.WaitingOn.ToArray())
        {
            TaskState? status;
            try
            {
                status = await Protocol(dependency).AddDependent(Id);
            }
            catch (Exception ex) when (ex is TaskEngineUnavailableException or OrleansException or TimeoutException)
            {
                LogSubscribeFailed(ex, Id, dependency);
                continue;
            }

            if (status is null or TaskState.Completed or TaskState.Failed or TaskState.Cancelled)
            {
                var transition = _machine.DependencyFinished(_durable, dependency, status, Moment);
                if (transition.Applied)
                {
                    await ApplyAsync(transition);
                }

                if (_durable.Status != TaskState.Scheduled)
                {
                    return;
                }
            }
        }
    }

    private async Task PurgeAsync()
    {
        LogExpired(Id);
        StopTimer(ref _timeoutTimer);
        StopTimer(ref _livenessTimer);
        StopTimer(ref _wakeTimer);
        StopTimer(ref _callbackTimer);
        if (_durable.WatchdogRegistered)
        {
            await RemoveWatchdogAsync();
        }

        try
        {
            await _state.ClearAsync();
        }
        catch (Exception ex) when (ex is not TaskEngineUnavailableException)
        {
            DeactivateOnIdle();
            throw new TaskEngineUnavailableException($"Could not remove the expired task {Id}: {ex.Message}");
        }

        _durable = new TaskGrainState();
        _state.State = _durable;
        await ForgetIndexRecordAsync();
        DeactivateOnIdle();
    }

    /// <summary>
    /// A finished (or unknown) task has nothing left to do in memory, and its activation, about 80 objects, would
    /// otherwise live on for the collection age: under sustained load those survivors are what the garbage
    /// collector's pauses are made of (measured: the REST submit p99 at 500/s). So it goes as soon as the current
    /// calls end (waiters already woken finish first); a later read reactivates it from storage. One whose expiry is
    /// near keeps its activation for the timer that purges it.
    /// </summary>
    private void ReleaseIfSettled()
    {
        if ((!Exists || _durable.Status.IsTerminal()) && _wakeTimer is null && !_durable.CallbackPending)
        {
            DeactivateOnIdle();
        }
    }

    private async Task SaveFinishedRecordAsync()
    {
        var state = _durable;
        try
        {
            await _index.SaveAsync(new QueueIndexRecord(Id, state.Submission!.Queue, state.Submission.Priority, state.QueueSequence, state.ExpiresAt, state.Submission.Type));
        }
        catch (TaskEngineUnavailableException ex)
        {
            // The task is finished and stored; its expiry is recorded when its queue next meets it.
            LogIndexWriteFailed(ex, Id);
        }
    }

    private async Task ForgetIndexRecordAsync()
    {
        try
        {
            await _index.RemoveAsync(Id);
        }
        catch (TaskEngineUnavailableException ex)
        {
            // A stray record only costs a refused start later.
            LogIndexWriteFailed(ex, Id);
        }
    }

    /// <summary>The flag it clears is stored with the next transition; a stale one only costs a needless lookup.</summary>
    private async Task RemoveWatchdogAsync()
    {
        var reminder = await this.GetReminder(WatchdogReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }

        _durable.WatchdogRegistered = false;
    }

    private void ArmTimeoutTimer()
    {
        StopTimer(ref _timeoutTimer);
        var elapsed = Now - (_durable.StartedAt ?? Now);
        var due = TimeSpan.FromSeconds(_durable.Submission!.TimeoutSeconds) - elapsed;
        _timeoutTimer = this.RegisterGrainTimer(
            _ => OnTimeoutAsync(),
            new GrainTimerCreationOptions { DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
    }

    private void ArmLivenessTimer(TimeSpan firstCheck)
    {
        StopTimer(ref _livenessTimer);
        _livenessTimer = this.RegisterGrainTimer(
            _ => CheckWorkerAsync(),
            new GrainTimerCreationOptions { DueTime = firstCheck, Period = _options.LivenessCheckInterval, KeepAlive = true });
    }

    /// <summary>A timer for the next moment this task must act: its run-at time, or the end of its retention.</summary>
    private void ArmWakeTimer()
    {
        StopTimer(ref _wakeTimer);
        var state = _durable;
        var at = state.Status == TaskState.Scheduled ? state.RunAt : state.Status.IsTerminal() ? state.ExpiresAt : null;
        if (at is null)
        {
            return;
        }

        var due = at.Value - Now;

        // Far-off moments are left to the watchdog reminder (run-at) or the queue index (expiry), so an idle task can
        // be deactivated.
        if (due > _options.WatchdogPeriod)
        {
            return;
        }

        _wakeTimer = this.RegisterGrainTimer(
            _ => _durable.Status.IsTerminal() ? Expire() : WakeAsync(),
            new GrainTimerCreationOptions { DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
    }

    private static void StopTimer(ref IGrainTimer? timer)
    {
        timer?.Dispose();
        timer = null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
