using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Diagnostics;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.Storage;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Workers;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// One task: the state machine, its history and result, persisted on every transition. Its record in the queue
/// index (<see cref="IQueueIndex"/>) keeps its place in its queue across crashes and, once it is finished, says when
/// it expires. Grain timers give the precise timeout, the worker liveness check and run-at times; a durable reminder
/// is the coarse backstop only while the task waits for a time or a dependency (nothing else would wake it).
/// </summary>
/// <remarks>
/// A finished task grain deactivates as soon as its calls end, and so does one reactivated to be read: a task is read
/// mostly while it runs, and every activation kept longer is memory the silo's GC must walk. Other idle task grains
/// (queued, waiting) are collected after 2 minutes instead of Orleans' default 15. A later call reactivates the task
/// from storage.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class TaskGrain : Grain, ITaskGrain, IRemindable
{
    private const string WatchdogReminderName = "watchdog";
    private const string StateName = "task";
    private static readonly TimeSpan WorkerCallTimeout = TimeSpan.FromSeconds(5);

    private string? _id;
    private string? _siloName;
    private readonly StoredGrainState<TaskGrainState> _state;
    private readonly TaskHandlerRegistry _handlers;
    private readonly TaskOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<TaskGrain> _logger;
    private readonly TimeProvider _time;
    private readonly TaskEngineInstruments _instruments;
    private readonly IQueueIndex _index;

    private IGrainTimer? _timeoutTimer;
    private IGrainTimer? _livenessTimer;
    private IGrainTimer? _wakeTimer;
    private TaskCompletionSource _finished = NewSignal();
    private TaskCompletionSource _changed = NewSignal();
    private bool _reportingWorker;

    public TaskGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage,
        TaskHandlerRegistry handlers,
        IOptions<TaskOptions> options,
        ILocalSiloDetails silo,
        ILogger<TaskGrain> logger,
        TimeProvider time,
        TaskEngineInstruments instruments,
        IQueueIndex index)
    {
        _instruments = instruments;
        _index = index;
        _state = new StoredGrainState<TaskGrainState>(storage, StateName, this.GetGrainId());
        _handlers = handlers;
        _options = options.Value;
        _silo = silo;
        _logger = logger;
        _time = time;
    }

    private TaskGrainState S => _state.State;
    private bool Exists => S.Submission is not null;
    private TaskSubmission Submission => S.Submission!;
    // The key is decoded from the grain id on each GetPrimaryKeyString: once per activation is enough.
    private string Id => _id ??= this.GetPrimaryKeyString();
    // SiloAddress formats itself anew on every call; this grain records it on every event.
    private string SiloName => _siloName ??= _silo.SiloAddress.ToParsableString();
    private DateTimeOffset Now => _time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.ReadAsync();
        if (!Exists)
        {
            return;
        }

        // Re-arm what lived in memory only: a reactivated task picks up where its last activation was.
        switch (S.Status)
        {
            case TaskState.Running:
                ArmLivenessTimer(TimeSpan.Zero);
                ArmTimeoutTimer();
                break;
            case TaskState.Scheduled:
                ArmWakeTimer();
                break;
            case TaskState.Completed or TaskState.Failed or TaskState.Cancelled:
                ArmWakeTimer();
                _finished.TrySetResult();
                break;
        }
    }

    public async Task<SubmitResult> Submit(TaskSubmission submission)
    {
        if (Exists)
        {
            return new SubmitResult { Outcome = SubmitOutcome.AlreadyExists, TaskId = Id, Status = S.Status, Task = Snapshot(), Reason = "A task with this id exists already." };
        }

        if (SubmissionValidator.Validate(submission) is { } invalid)
        {
            return SubmitResult.Refused(Id, SubmitOutcome.Invalid, invalid);
        }

        if (!_handlers.IsRegistered(submission.Type))
        {
            return SubmitResult.Refused(Id, SubmitOutcome.UnknownType,
                $"No handler is registered for task type '{submission.Type}'. Known types: {string.Join(", ", _handlers.Types.Order(StringComparer.Ordinal))}.");
        }

        var now = Now;
        var runAt = submission.RunAt ?? (submission.DelaySeconds is > 0 ? now.AddSeconds(submission.DelaySeconds.Value) : null);
        var state = new TaskGrainState
        {
            Submission = submission,
            CreatedAt = now,
            RunAt = runAt > now ? runAt : null,
            WaitingOn = [.. submission.DependsOn.Distinct(StringComparer.Ordinal).Where(d => d != Id)],
            QueueSequence = now.UtcTicks,
        };
        var ready = state.RunAt is null && state.WaitingOn.Count == 0;
        if (ready)
        {
            // The queue decides first, so a full queue refuses the task before anything is written.
            var enqueued = await Scheduler(submission.Queue).Enqueue(EntryFor(submission, state.QueueSequence), isNewSubmit: true);
            if (!enqueued.Accepted)
            {
                DeactivateOnIdle();
                return SubmitResult.Refused(Id, SubmitOutcome.QueueFull, enqueued.Reason ?? $"Queue '{submission.Queue}' is full.");
            }

            // The index record before the state: a crash in between leaves a record of a task that does not exist,
            // which the queue drops when it meets it, never a stored task that no queue knows of.
            try
            {
                await _index.SaveAsync(RecordFor(submission, state.QueueSequence, expiresAt: null));
            }
            catch (TaskEngineUnavailableException)
            {
                await Scheduler(submission.Queue).Remove(Id);
                DeactivateOnIdle();
                throw;
            }
        }

        state.Status = ready ? TaskState.Pending : TaskState.Scheduled;
        state.WatchdogRegistered = !ready;
        _state.State = state;
        AddTransition(ready ? "submitted" : DescribeWait(state));

        // A waiting task needs its watchdog: the state write and the registration are independent round trips, made
        // together. Should the write fail, a watchdog that did register finds no task on its first tick and goes.
        var watchdog = ready ? Task.CompletedTask : EnsureWatchdogAsync();
        try
        {
            await PersistAsync();
        }
        catch (TaskEngineUnavailableException)
        {
            await watchdog;
            _state.State = new TaskGrainState();
            if (ready)
            {
                await Scheduler(submission.Queue).Remove(Id);
                await ForgetIndexRecordAsync();
            }

            DeactivateOnIdle();
            throw;
        }

        await watchdog;
        _instruments.Submitted(submission.Queue);
        LogSubmitted(Id, submission.Type, submission.Queue, S.Status);
        if (S.WaitingOn.Count > 0)
        {
            await SubscribeToDependenciesAsync();
        }
        else if (!ready)
        {
            ArmWakeTimer();
        }

        return new SubmitResult { Outcome = SubmitOutcome.Accepted, TaskId = Id, Status = S.Status };
    }

    public Task<TaskSnapshot?> Get()
    {
        ReleaseIfSettled();
        return Task.FromResult(Exists ? Snapshot() : null);
    }

    public async Task<TaskSnapshot?> WaitForCompletion(TimeSpan timeout)
    {
        if (!Exists || S.Status.IsTerminal() || timeout <= TimeSpan.Zero)
        {
            ReleaseIfSettled();
            return Exists ? Snapshot() : null;
        }

        try
        {
            await _finished.Task.WaitAsync(timeout, _time);
        }
        catch (TimeoutException)
        {
            // The caller gets the task as it is now.
        }

        return Exists ? Snapshot() : null;
    }

    public async Task<TaskEventPage?> WaitForEvents(long afterSequence, TimeSpan timeout)
    {
        if (!Exists)
        {
            ReleaseIfSettled();
            return null;
        }

        if (S.LastSequence <= afterSequence && !S.Status.IsTerminal() && timeout > TimeSpan.Zero)
        {
            try
            {
                await _changed.Task.WaitAsync(timeout, _time);
            }
            catch (TimeoutException)
            {
                // Nothing new: an empty page.
            }
        }

        ReleaseIfSettled();
        if (!Exists)
        {
            return null;
        }

        var events = S.History.Where(e => e.Sequence > afterSequence).ToList();
        return new TaskEventPage { Events = events, Status = S.Status, Finished = S.Status.IsTerminal() };
    }

    public async Task<CommandResult> Cancel(string? reason)
    {
        if (!Exists)
        {
            return CommandResult.Unchanged("No such task.", null);
        }

        if (S.Status.IsTerminal())
        {
            return CommandResult.Unchanged($"The task is already {S.Status.ToWireName()}; cancelling changes nothing.", Snapshot());
        }

        var previous = S.Status;
        var attempt = S.Attempts;
        var workerId = S.WorkerId;
        Finish(TaskState.Cancelled, reason is { Length: > 0 } ? $"cancelled: {reason}" : "cancelled by caller");
        await PersistAsync();
        if (previous == TaskState.Pending)
        {
            await Scheduler(Submission.Queue).Remove(Id);
        }
        else if (previous == TaskState.Running && workerId is not null)
        {
            await Worker(workerId).Cancel(Id, attempt, "cancelled");
        }

        await AfterFinishedAsync();
        return CommandResult.Done($"The task was {previous.ToWireName()} and is now cancelled.", Snapshot());
    }

    public async Task<CommandResult> Retry()
    {
        if (!Exists)
        {
            return CommandResult.Unchanged("No such task.", null);
        }

        if (S.Status is not (TaskState.Failed or TaskState.Cancelled))
        {
            return CommandResult.Unchanged($"Only a failed or cancelled task can be retried; this one is {S.Status.ToWireName()}.", Snapshot());
        }

        S.FailedAttempts = 0;
        S.WorkerLosses = 0;
        S.FinishedAt = null;
        S.ExpiresAt = null;
        S.Result = null;
        _finished = NewSignal();
        StopTimer(ref _wakeTimer);
        await MakePendingAsync("retried by caller");
        return CommandResult.Done("The task is pending again.", Snapshot());
    }

    public async Task<StartResult> TryStart(string workerId, string silo)
    {
        if (!Exists)
        {
            // Only a queue index record (of a submit that failed half-way) can have led here: drop it.
            await ForgetIndexRecordAsync();
            DeactivateOnIdle();
            return new StartResult { Reason = "No such task." };
        }

        if (S.Status != TaskState.Pending)
        {
            if (S.Status.IsTerminal())
            {
                // A rebuilt queue met a task whose finish did not reach the index (a crash in between): record it now.
                await SaveFinishedRecordAsync();
            }

            return new StartResult { Reason = $"The task is {S.Status.ToWireName()}; only a pending task starts." };
        }

        _instruments.Started(Submission.Queue, Now - new DateTimeOffset(S.QueueSequence, TimeSpan.Zero));
        S.Attempts++;
        S.Status = TaskState.Running;
        S.WorkerId = workerId;
        S.Silo = silo;
        S.StartedAt = Now;
        _reportingWorker = true;
        AddTransition($"started by {workerId}");
        _reportingWorker = false;
        await PersistAsync();
        ArmTimeoutTimer();
        ArmLivenessTimer(_options.LivenessCheckInterval);
        return new StartResult
        {
            WorkItem = new TaskWorkItem
            {
                TaskId = Id,
                Type = Submission.Type,
                Payload = Submission.Payload,
                Attempt = S.Attempts,
                MaxAttempts = Submission.MaxAttempts,
                TimeoutSeconds = Submission.TimeoutSeconds,
            },
        };
    }

    public async Task<CommandResult> ReportCompleted(int attempt, string? result)
    {
        if (RefuseReport(attempt, "completion") is { } refused)
        {
            return refused;
        }

        S.Result = result;
        _reportingWorker = true;
        Finish(TaskState.Completed, "completed");
        _reportingWorker = false;
        await PersistAsync();
        await AfterFinishedAsync();

        // Worker reports carry no snapshot: the worker does not need one, and it would cost a copy of the history.
        return CommandResult.Done("The task is completed.", null);
    }

    public async Task<CommandResult> ReportFailed(int attempt, TaskError error)
    {
        if (RefuseReport(attempt, "failure") is { } refused)
        {
            return refused;
        }

        _reportingWorker = true;
        try
        {
            if (error.Kind == TaskErrorKinds.WorkerLost)
            {
                // The worker stopped (silo shutting down): not the task's fault, back to the queue at once.
                await LoseWorkerAsync(error.Message);
            }
            else
            {
                await FailAttemptAsync(error with { Attempt = attempt, At = Now });
            }
        }
        finally
        {
            _reportingWorker = false;
        }

        return CommandResult.Done($"Attempt {attempt} failed; the task is {S.Status.ToWireName()}.", null);
    }

    public Task ReportProgress(int attempt, TaskProgress progress)
    {
        if (!Exists || S.Status != TaskState.Running || attempt != S.Attempts)
        {
            return Task.CompletedTask;
        }

        AddEvent(TaskEventKind.Progress, progress.Message, progress.Percent);
        TrimProgress();

        // Progress is not persisted on its own: it rides along with the next transition's write.
        return Task.CompletedTask;
    }

    public async Task<CommandResult> WorkerLost(string workerId)
    {
        if (!Exists || S.Status != TaskState.Running || S.WorkerId != workerId)
        {
            return CommandResult.Unchanged("The task is not running on that worker; nothing changed.", Exists ? Snapshot() : null);
        }

        await LoseWorkerAsync($"worker {workerId} on {S.Silo} is gone");
        return CommandResult.Done($"The task is {S.Status.ToWireName()} again.", Snapshot());
    }

    public async Task<TaskState?> AddDependent(string dependentTaskId)
    {
        if (!Exists)
        {
            return null;
        }

        if (!S.Status.IsTerminal() && !S.Dependents.Contains(dependentTaskId))
        {
            S.Dependents.Add(dependentTaskId);
            await PersistAsync();
        }

        return S.Status;
    }

    public async Task DependencyFinished(string dependencyTaskId, TaskState status)
    {
        if (!Exists || S.Status != TaskState.Scheduled || !S.WaitingOn.Contains(dependencyTaskId))
        {
            return;
        }

        await ApplyDependencyStatusAsync(dependencyTaskId, status);
    }

    public async Task Expire()
    {
        if (!Exists)
        {
            await ForgetIndexRecordAsync();
            DeactivateOnIdle();
            return;
        }

        // A task retried since the index listed it is unfinished again (and its record says so): nothing to do.
        if (S.Status.IsTerminal() && S.ExpiresAt <= Now)
        {
            await PurgeAsync();
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

        switch (S.Status)
        {
            case TaskState.Scheduled:
                await WakeAsync();
                break;
            case TaskState.Pending:
                // Became ready since the last tick: make sure its queue has it, then the queue index keeps its place.
                await Scheduler(Submission.Queue).Enqueue(EntryFor(Submission, S.QueueSequence), isNewSubmit: false);
                await RemoveWatchdogAsync();
                break;
            case TaskState.Running:
                await CheckWorkerAsync();
                await RemoveWatchdogAsync();
                break;
            default:
                // Finished: the queue index holds its expiry.
                await RemoveWatchdogAsync();
                break;
        }
    }

    private CommandResult? RefuseReport(int attempt, string what)
    {
        if (!Exists)
        {
            return CommandResult.Unchanged("No such task.", null);
        }

        if (S.Status != TaskState.Running || attempt != S.Attempts)
        {
            return CommandResult.Unchanged(
                $"The task is {S.Status.ToWireName()} at attempt {S.Attempts}; a {what} of attempt {attempt} changes nothing.", Snapshot());
        }

        return null;
    }

    private async Task FailAttemptAsync(TaskError error)
    {
        _instruments.AttemptFailed(Submission.Queue, error.Kind);
        S.Errors.Add(error);
        S.FailedAttempts++;
        StopRunTimers();
        var retryable = error.Kind is not (TaskErrorKinds.Permanent or TaskErrorKinds.Dependency);
        if (retryable && S.FailedAttempts < Submission.MaxAttempts)
        {
            var delay = RetryBackoff.Compute(S.FailedAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared);
            S.Status = TaskState.Scheduled;
            S.RunAt = Now + delay;
            AddTransition($"attempt {error.Attempt} failed ({error.Kind}: {error.Message}); retry in {delay.TotalMilliseconds:F0} ms");
            var watchdog = S.WatchdogRegistered ? Task.CompletedTask : EnsureWatchdogAsync();
            S.WatchdogRegistered = true;
            await PersistAsync();
            await watchdog;
            ArmWakeTimer();
            return;
        }

        var why = retryable ? $"attempt {error.Attempt} of {Submission.MaxAttempts} failed" : $"attempt {error.Attempt} failed permanently";
        Finish(TaskState.Failed, $"{why} ({error.Kind}: {error.Message})");
        await PersistAsync();
        await AfterFinishedAsync();
    }

    private async Task LoseWorkerAsync(string why)
    {
        var error = new TaskError { Kind = TaskErrorKinds.WorkerLost, Message = why, Attempt = S.Attempts, At = Now };
        S.Errors.Add(error);
        S.WorkerLosses++;
        StopRunTimers();
        if (S.WorkerLosses >= _options.MaxWorkerLosses)
        {
            Finish(TaskState.Failed, $"{why}; lost its worker {S.WorkerLosses} times, giving up");
            await PersistAsync();
            await AfterFinishedAsync();
            return;
        }

        LogWorkerLost(Id, S.WorkerId, S.Silo);
        await MakePendingAsync(why);
    }

    private async Task MakePendingAsync(string why)
    {
        // The index record first (see Submit): from here on the queue keeps the task's place, whatever crashes.
        var sequence = Now.UtcTicks;
        try
        {
            await _index.SaveAsync(RecordFor(Submission, sequence, expiresAt: null));
        }
        catch (TaskEngineUnavailableException)
        {
            // The caller may have changed the state in memory already: start again from what is stored.
            DeactivateOnIdle();
            throw;
        }

        S.Status = TaskState.Pending;
        S.RunAt = null;
        S.QueueSequence = sequence;
        AddTransition(why);
        await PersistAsync();
        await Scheduler(Submission.Queue).Enqueue(EntryFor(Submission, S.QueueSequence), isNewSubmit: false);
    }

    private async Task WakeAsync()
    {
        if (!Exists || S.Status != TaskState.Scheduled)
        {
            return;
        }

        if (S.WaitingOn.Count > 0)
        {
            // A dependency's notice may have been lost with a silo: ask again.
            await SubscribeToDependenciesAsync();
            return;
        }

        if (S.RunAt is { } runAt && runAt > Now)
        {
            ArmWakeTimer();
            return;
        }

        await MakePendingAsync("ready");
    }

    private async Task SubscribeToDependenciesAsync()
    {
        foreach (var dependency in S.WaitingOn.ToArray())
        {
            var status = await GrainFactory.GetGrainByKey<ITaskGrain>(dependency).AddDependent(Id);
            if (status is null or TaskState.Completed or TaskState.Failed or TaskState.Cancelled)
            {
                await ApplyDependencyStatusAsync(dependency, status);
                if (S.Status != TaskState.Scheduled)
                {
                    return;
                }
            }
        }
    }

    private async Task ApplyDependencyStatusAsync(string dependency, TaskState? status)
    {
        if (status == TaskState.Completed)
        {
            S.WaitingOn.Remove(dependency);
            if (S.WaitingOn.Count == 0)
            {
                await WakeAsync();
            }
            else
            {
                await PersistAsync();
            }

            return;
        }

        var why = status is null ? $"dependency {dependency} does not exist" : $"dependency {dependency} is {status.Value.ToWireName()}";
        S.Errors.Add(new TaskError { Kind = TaskErrorKinds.Dependency, Message = why, Attempt = S.Attempts, At = Now });
        Finish(TaskState.Failed, why);
        await PersistAsync();
        await AfterFinishedAsync();
    }

    private async Task CheckWorkerAsync()
    {
        if (!Exists || S.Status != TaskState.Running || S.WorkerId is not { } workerId)
        {
            return;
        }

        bool running;
        try
        {
            running = await Worker(workerId).IsRunning(Id, S.Attempts).WaitAsync(WorkerCallTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or SiloUnavailableException or OrleansException)
        {
            // Unknown yet (the silo may be dying): the next check decides once membership has.
            LogWorkerUnreachable(Id, workerId, ex.Message);
            return;
        }

        if (!running && S.Status == TaskState.Running && S.WorkerId == workerId)
        {
            await LoseWorkerAsync($"worker {workerId} on {S.Silo} no longer runs attempt {S.Attempts}");
        }
    }

    private async Task OnTimeoutAsync()
    {
        if (!Exists || S.Status != TaskState.Running)
        {
            return;
        }

        var attempt = S.Attempts;
        var workerId = S.WorkerId;
        var error = new TaskError
        {
            Kind = TaskErrorKinds.Timeout,
            Message = $"attempt {attempt} ran past its timeout of {Submission.TimeoutSeconds} s",
            Attempt = attempt,
            At = Now,
        };
        await FailAttemptAsync(error);
        if (workerId is not null)
        {
            await Worker(workerId).Cancel(Id, attempt, "timeout");
        }
    }

    private void Finish(TaskState status, string why)
    {
        S.Status = status;
        S.FinishedAt = Now;
        S.ExpiresAt = S.FinishedAt + _options.Retention;
        S.RunAt = null;
        StopRunTimers();
        StopTimer(ref _wakeTimer);
        AddTransition(why);
    }

    /// <summary>After a terminal state is persisted: wake waiters, tell dependents, arm the expiry.</summary>
    private async Task AfterFinishedAsync()
    {
        _instruments.Finished(Submission.Queue, S.Status, Now - S.CreatedAt);
        LogFinished(Id, S.Status, S.Attempts);
        foreach (var dependent in S.Dependents)
        {
            GrainFactory.GetGrainByKey<ITaskGrain>(dependent).DependencyFinished(Id, S.Status).Ignore();
        }

        ArmWakeTimer();
        _finished.TrySetResult();

        // After the waiters: the stored state is what they need. Until this lands, the index still counts the task
        // as unfinished, which only costs a refused start should its queue be rebuilt.
        await SaveFinishedRecordAsync();

        ReleaseIfSettled();
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
        if ((!Exists || S.Status.IsTerminal()) && _wakeTimer is null)
        {
            DeactivateOnIdle();
        }
    }

    private async Task SaveFinishedRecordAsync()
    {
        try
        {
            await _index.SaveAsync(RecordFor(Submission, S.QueueSequence, S.ExpiresAt));
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

    private async Task PurgeAsync()
    {
        LogExpired(Id);
        StopRunTimers();
        StopTimer(ref _wakeTimer);
        if (S.WatchdogRegistered)
        {
            await RemoveWatchdogAsync();
        }

        try
        {
            await _state.ClearAsync();
        }
        catch (Exception ex) when (ex is not TaskEngineUnavailableException)
        {
            throw new TaskEngineUnavailableException($"Could not remove the expired task {Id}: {ex.Message}");
        }

        _state.State = new TaskGrainState();
        await ForgetIndexRecordAsync();
        DeactivateOnIdle();
    }

    private async Task PersistAsync()
    {
        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex)
        {
            // The write did not happen, but this call already changed the state in memory: drop the activation so the
            // next call starts from what is stored.
            DeactivateOnIdle();
            if (ex is TaskEngineUnavailableException)
            {
                throw;
            }

            // Storage exceptions (e.g. Npgsql's) are not serializable across grain calls: say it in the engine's words.
            LogStorageFailed(ex, Id);
            throw new TaskEngineUnavailableException($"The task store is unavailable ({ex.GetType().Name}: {ex.Message}); nothing was changed.");
        }
    }

    private async Task EnsureWatchdogAsync()
    {
        try
        {
            var every = _options.WatchdogPeriod;
            await this.RegisterOrUpdateReminder(WatchdogReminderName, every, every);
        }
        catch (Exception ex)
        {
            // The task is persisted; its next activation or the scheduler still drives it. Say so, do not fail the caller.
            LogWatchdogFailed(ex, Id);
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

        S.WatchdogRegistered = false;
    }

    private void ArmTimeoutTimer()
    {
        StopTimer(ref _timeoutTimer);
        var elapsed = Now - (S.StartedAt ?? Now);
        var due = TimeSpan.FromSeconds(Submission.TimeoutSeconds) - elapsed;
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
        var at = S.Status == TaskState.Scheduled ? S.RunAt : S.Status.IsTerminal() ? S.ExpiresAt : null;
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
            _ => S.Status.IsTerminal() ? PurgeIfExpiredAsync() : WakeAsync(),
            new GrainTimerCreationOptions { DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
    }

    private Task PurgeIfExpiredAsync() => Exists && S.ExpiresAt <= Now ? PurgeAsync() : Task.CompletedTask;

    private void StopRunTimers()
    {
        StopTimer(ref _timeoutTimer);
        StopTimer(ref _livenessTimer);
    }

    private static void StopTimer(ref IGrainTimer? timer)
    {
        timer?.Dispose();
        timer = null;
    }

    private void AddTransition(string why) => AddEvent(TaskEventKind.Transition, why, null);

    /// <summary>
    /// Records an event. The worker is the one that ran the current attempt; the silo is where the event happened:
    /// the worker's silo for what a worker did or reported, this grain's silo otherwise.
    /// </summary>
    private void AddEvent(TaskEventKind kind, string? message, double? percent)
    {
        var onWorker = _reportingWorker || kind == TaskEventKind.Progress;
        S.History.Add(new TaskEvent
        {
            Sequence = ++S.LastSequence,
            Kind = kind,
            Status = S.Status,
            At = Now,
            Attempt = S.Attempts,
            WorkerId = S.WorkerId,
            Silo = onWorker ? S.Silo : SiloName,
            Message = message,
            Percent = percent,
        });

        // Wake the event streams waiting for news.
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private void TrimProgress()
    {
        var progress = S.History.Count(e => e.Kind == TaskEventKind.Progress);
        if (progress > _options.MaxProgressEvents)
        {
            var oldest = S.History.FindIndex(e => e.Kind == TaskEventKind.Progress);
            S.History.RemoveAt(oldest);
        }
    }

    private static string DescribeWait(TaskGrainState state) =>
        state.WaitingOn.Count > 0
            ? $"waiting for {string.Join(", ", state.WaitingOn)}"
            : $"scheduled for {state.RunAt:O}";

    private QueueEntry EntryFor(TaskSubmission submission, long sequence) =>
        new() { TaskId = Id, Priority = submission.Priority, Sequence = sequence };

    private QueueIndexRecord RecordFor(TaskSubmission submission, long sequence, DateTimeOffset? expiresAt) =>
        new(Id, submission.Queue, submission.Priority, sequence, expiresAt);

    private ISchedulerGrain Scheduler(string queue) => GrainFactory.GetGrainByKey<ISchedulerGrain>(queue);

    private IWorkerGrain Worker(string workerId) => GrainFactory.GetGrainByKey<IWorkerGrain>(workerId);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TaskSnapshot Snapshot()
    {
        var submission = Submission;
        return new TaskSnapshot
        {
            Id = Id,
            Type = submission.Type,
            Queue = submission.Queue,
            Priority = submission.Priority,
            Status = S.Status,
            Payload = submission.Payload,
            TimeoutSeconds = submission.TimeoutSeconds,
            MaxAttempts = submission.MaxAttempts,
            Attempts = S.Attempts,
            CreatedAt = S.CreatedAt,
            RunAt = S.RunAt,
            StartedAt = S.StartedAt,
            FinishedAt = S.FinishedAt,
            Result = S.Result,
            Error = S.Status is TaskState.Completed ? null : S.Errors.LastOrDefault(),
            Errors = [.. S.Errors],
            WorkerId = S.WorkerId,
            Silo = S.Silo,
            Tags = submission.Tags,
            DependsOn = submission.DependsOn,
            IdempotencyKey = submission.IdempotencyKey,
            History = [.. S.History],
            ExpiresAt = S.ExpiresAt,
        };
    }
}
