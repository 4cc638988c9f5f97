using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Diagnostics;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// One task: the adapter that carries out <see cref="TaskStateMachine"/>. Each command asks the machine for a
/// transition, then does what it says in one fixed order (<see cref="ApplyAsync"/>): the effects that must come first
/// (watchdog reminder, queue index record), the state write, and only once the write succeeded, the new state becomes
/// what callers see and the effects that follow it run (queue, worker, timers, dependents, expiry record).
/// </summary>
/// <remarks>
/// What wakes a task, by state (the README's recovery table says the same): pending, its record in the queue index;
/// running, its worker's report or its liveness check of the worker (and the scheduler, for a worker whose silo
/// died); scheduled, its watchdog reminder; finished, its expiry in the queue index (and its watchdog reminder while
/// its completion callback is pending, <see cref="TaskGrain.CallbackAttempted"/>). So when a write fails, the
/// activation simply goes: the next call or the mechanism of its state starts again from what is stored.
/// A finished task grain deactivates as soon as its calls end, and so does one reactivated to be read; other idle
/// task grains are collected after 2 minutes instead of Orleans' default 15.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class TaskGrain : Grain, ITaskGrain, ITaskProtocolGrain, IRemindable
{
    private const string WatchdogReminderName = "watchdog";
    private const string StateName = History.TaskAuditProjection.StateName;
    private static readonly TimeSpan WorkerCallTimeout = TimeSpan.FromSeconds(5);

    private string? _id;
    private string? _siloName;
    private readonly StoredGrainState<TaskGrainState> _state;
    private readonly TaskStateMachine _machine;
    private readonly TaskHandlerRegistry _handlers;
    private readonly KnownTaskTypes _types;
    private readonly TaskOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<TaskGrain> _logger;
    private readonly TimeProvider _time;
    private readonly TaskEngineInstruments _instruments;
    private readonly IQueueIndex _index;
    private readonly CallbackSender _callbacks;

    // The stored state: all that callers see. A transition works on a copy and replaces this only once it is written.
    private TaskGrainState _durable = new();

    public TaskGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage,
        TaskHandlerRegistry handlers,
        KnownTaskTypes types,
        IOptions<TaskOptions> options,
        ILocalSiloDetails silo,
        ILogger<TaskGrain> logger,
        TimeProvider time,
        TaskEngineInstruments instruments,
        IQueueIndex index,
        CallbackSender callbacks)
    {
        _state = new StoredGrainState<TaskGrainState>(storage, StateName, this.GetGrainId());
        _options = options.Value;
        _machine = new TaskStateMachine(_options, Random.Shared);
        _handlers = handlers;
        _types = types;
        _silo = silo;
        _logger = logger;
        _time = time;
        _instruments = instruments;
        _index = index;
        _callbacks = callbacks;
    }

    private bool Exists => _durable.Submission is not null;
    // The key is decoded from the grain id on each GetPrimaryKeyString: once per activation is enough.
    private string Id => _id ??= this.GetPrimaryKeyString();
    // SiloAddress formats itself anew on every call; this grain records it on every event.
    private string SiloName => _siloName ??= _silo.SiloAddress.ToParsableString();
    private DateTimeOffset Now => _time.GetUtcNow();
    private TaskMoment Moment => new(Now, SiloName);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.ReadAsync();
        _durable = _state.State;

        // Re-arm what lived in memory only: a reactivated task picks up where its last activation was.
        switch (_durable.Status)
        {
            case TaskState.Running when Exists:
                ArmLivenessTimer(TimeSpan.Zero);
                ArmTimeoutTimer();
                break;
            case TaskState.Scheduled when Exists:
                ArmWakeTimer();
                break;
            case TaskState.Completed or TaskState.Failed or TaskState.Cancelled when Exists:
                ArmWakeTimer();
                ArmCallbackTimer();
                _finished.TrySetResult();
                break;
        }
    }

    public async Task<SubmitResult> Submit(TaskSubmission submission)
    {
        if (Exists)
        {
            return new SubmitResult { Outcome = SubmitOutcome.AlreadyExists, TaskId = Id, Status = _durable.Status, Task = Snapshot(), Reason = "A task with this id exists already." };
        }

        if (await RefuseAsync(submission) is { } refused)
        {
            DeactivateOnIdle();
            return refused;
        }

        var transition = _machine.Submit(_durable, Id, submission, MomentFor(submission.CreatedBy));
        if (!transition.Applied)
        {
            DeactivateOnIdle();
            return SubmitResult.Refused(Id, SubmitOutcome.Invalid, transition.Message);
        }

        // The queue decides first, so a full queue (or one past the cap on queues) refuses before anything is written.
        var next = transition.Next!;
        var queue = Scheduler(submission.Queue);
        var admitted = next.Status == TaskState.Pending ? await queue.Enqueue(EntryFor(next), isNewSubmit: true) : await queue.Admit();
        if (!admitted.Accepted)
        {
            DeactivateOnIdle();
            var outcome = admitted.QueueLimitReached ? SubmitOutcome.QueueLimitReached : SubmitOutcome.QueueFull;
            return SubmitResult.Refused(Id, outcome, admitted.Reason ?? $"Queue '{submission.Queue}' is full.");
        }

        try
        {
            await BeforeWriteAsync(transition);
        }
        catch (TaskEngineUnavailableException)
        {
            // Nothing is stored: the queue lets go of the task (a record written in doubt only costs a refused start).
            await queue.Remove(Id);
            DeactivateOnIdle();
            throw;
        }

        // From here the outcome may be unknown: the queue and the index record stay, so a task the store did commit
        // runs, and one it did not is dropped when its start finds nothing. A retry with the same id tells the caller.
        await WriteAsync(next, submitting: true);
        _instruments.Submitted(submission.Queue);
        LogSubmitted(Id, submission.Type, submission.Queue, next.Status);
        await AfterWriteAsync(transition);
        return new SubmitResult { Outcome = SubmitOutcome.Accepted, TaskId = Id, Status = next.Status };
    }

    public Task<TaskSnapshot?> Get()
    {
        ReleaseIfSettled();
        return Task.FromResult(Exists ? Snapshot() : null);
    }

    public async Task<TaskSnapshot?> WaitForCompletion(TimeSpan timeout)
    {
        if (!Exists || _durable.Status.IsTerminal() || timeout <= TimeSpan.Zero)
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

        if (_durable.LastSequence <= afterSequence && !_durable.Status.IsTerminal() && timeout > TimeSpan.Zero)
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
        var state = _durable;
        if (state.Submission is null)
        {
            return null;
        }

        var events = state.History.Where(e => e.Sequence > afterSequence).ToList();
        return new TaskEventPage { Events = events, Status = state.Status, Finished = state.Status.IsTerminal() };
    }

    public Task<CommandResult> Cancel(string? reason, string? actor = null) => CommandAsync(_machine.Cancel(_durable, reason, MomentFor(actor)));

    public Task<CommandResult> Retry(string? actor = null) => CommandAsync(_machine.Retry(_durable, MomentFor(actor)));

    private TaskMoment MomentFor(string? actor) => actor is { Length: > 0 } ? Moment with { Actor = actor } : Moment;

    /// <summary>Why a submission cannot be taken (bad field, unknown type, a dependency that does not exist), or null.</summary>
    private async Task<SubmitResult?> RefuseAsync(TaskSubmission submission)
    {
        if (EngineIds.Describe(Id, "task id") is { } badId)
        {
            return SubmitResult.Refused(Id, SubmitOutcome.Invalid, badId);
        }

        if (SubmissionValidator.Validate(submission, Now) is { } invalid)
        {
            return SubmitResult.Refused(Id, SubmitOutcome.Invalid, invalid);
        }

        if (submission.CallbackUrl is { } callbackUrl && _callbacks.Refuse(callbackUrl) is { } badCallback)
        {
            return SubmitResult.Refused(Id, SubmitOutcome.Invalid, badCallback);
        }

        if (!_handlers.IsRegistered(submission.Type) && !await _types.IsKnownAsync(submission.Type))
        {
            return SubmitResult.Refused(Id, SubmitOutcome.UnknownType,
                $"No handler is registered for task type '{submission.Type}', no agent declared it and {KnownTaskTypes.Section} does not list it. Known types: {string.Join(", ", _types.Describe())}.");
        }

        // A task depends only on tasks that exist already. Besides catching typos, this is what keeps dependencies free
        // of cycles: of two tasks naming each other, the one checked first finds the other missing. The check reads the
        // stored state without waiting for the dependency's turn, so two such submits never wait on each other.
        foreach (var dependency in submission.DependsOn.Distinct(StringComparer.Ordinal))
        {
            if (dependency != Id && await Protocol(dependency).GetStoredStatus() is null)
            {
                return SubmitResult.Refused(Id, SubmitOutcome.Invalid,
                    $"dependsOn names task '{dependency}', which does not exist. A task can depend only on tasks submitted before it.");
            }
        }

        return null;
    }

    /// <summary>A caller's command: refused ones say why and change nothing; applied ones answer with the stored task.</summary>
    private async Task<CommandResult> CommandAsync(TaskTransition transition, bool withSnapshot = true)
    {
        if (!transition.Applied)
        {
            return CommandResult.Unchanged(transition.Message, withSnapshot && Exists ? Snapshot() : null);
        }

        await ApplyAsync(transition);
        return CommandResult.Done(transition.Message, withSnapshot ? Snapshot() : null);
    }

    private static QueueEntry EntryFor(string id, TaskGrainState state) =>
        new() { TaskId = id, Priority = state.Submission!.Priority, Sequence = state.QueueSequence, Type = state.Submission.Type };

    private QueueEntry EntryFor(TaskGrainState state) => EntryFor(Id, state);

    private ISchedulerGrain Scheduler(string queue) => GrainFactory.GetGrainByKey<ISchedulerGrain>(queue);

    // Whoever runs an attempt: an agent (its id says so) or an in-silo worker.
    private ITaskRunnerGrain Runner(string workerId) =>
        AgentKey.IsAgent(workerId) ? GrainFactory.GetGrainByKey<IAgentGrain>(workerId) : GrainFactory.GetGrainByKey<IWorkerGrain>(workerId);

    private ITaskProtocolGrain Protocol(string taskId) => GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId);

    private TaskSnapshot Snapshot()
    {
        var state = _durable;
        var submission = state.Submission!;
        return new TaskSnapshot
        {
            Id = Id,
            Type = submission.Type,
            Queue = submission.Queue,
            Priority = submission.Priority,
            Status = state.Status,
            Payload = submission.Payload,
            TimeoutSeconds = submission.TimeoutSeconds,
            MaxAttempts = submission.MaxAttempts,
            Attempts = state.Attempts,
            CreatedAt = state.CreatedAt,
            RunAt = state.RunAt,
            StartedAt = state.StartedAt,
            FinishedAt = state.FinishedAt,
            Result = state.Result,
            Error = state.Status is TaskState.Completed ? null : state.Errors.LastOrDefault(),
            // Shared, not copied: a stored state's lists are never changed again (a transition makes new ones).
            Errors = state.Errors,
            WorkerId = state.WorkerId,
            Silo = state.Silo,
            Tags = submission.Tags,
            DependsOn = submission.DependsOn,
            IdempotencyKey = submission.IdempotencyKey,
            CreatedBy = submission.CreatedBy,
            CallbackUrl = submission.CallbackUrl,
            History = state.History,
            ExpiresAt = state.ExpiresAt,
        };
    }
}
