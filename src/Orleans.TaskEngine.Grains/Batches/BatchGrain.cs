using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>
/// One batch with a callback: the adapter that stores and carries out <see cref="BatchTally"/>. Members tell it when
/// they finish (one-way, at least once); while it is unfinished a reminder asks every unfinished member for its status,
/// which makes up for a lost message or a crash. When every member has finished it submits the callback under an id
/// fixed by the batch's, so however often that happens, one callback task exists. Once finished, its state is kept
/// for the tasks' retention, then forgotten (<c>BatchGrain.Expiry.cs</c>).
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class BatchGrain : Grain, IBatchGrain, IRemindable
{
    private const string StateName = "batch";
    private const string RecoveryReminderName = "batch-recovery";

    /// <summary>The reminder's period: Orleans' shortest. A lost notification is made up for within it.</summary>
    public static readonly TimeSpan RecoveryPeriod = TimeSpan.FromMinutes(1);

    private readonly StoredGrainState<BatchGrainState> _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private readonly ILogger<BatchGrain> _logger;
    private string? _id;

    public BatchGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, TimeProvider time, IOptions<TaskOptions> options, ILogger<BatchGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = new StoredGrainState<BatchGrainState>(storage, StateName, this.GetGrainId());
        _time = time;
        _retention = options.Value.Retention;
        _logger = logger;
    }

    private string Id => _id ??= this.GetPrimaryKeyString();
    private BatchGrainState State => _state.State;
    private bool Exists => State.Callback is not null;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _state.ReadAsync();

    public async Task<BatchCreateResult> Create(BatchDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Exists)
        {
            var same = string.Equals(State.Fingerprint, definition.Fingerprint, StringComparison.Ordinal);
            return new BatchCreateResult(same ? BatchCreateOutcome.Exists : BatchCreateOutcome.Conflict, State.Members);
        }

        // The reminder before the state: a stored batch that nothing wakes would wait forever for a lost message.
        await this.RegisterOrUpdateReminder(RecoveryReminderName, RecoveryPeriod, RecoveryPeriod);
        _state.State = new BatchGrainState
        {
            Members = definition.Members.Distinct(StringComparer.Ordinal).ToList(),
            Callback = definition.Callback,
            Fingerprint = definition.Fingerprint,
            CreatedAt = _time.GetUtcNow(),
        };
        await WriteAsync();
        LogCreated(Id, State.Members.Count);
        return new BatchCreateResult(BatchCreateOutcome.Created, State.Members);
    }

    public async Task Seal()
    {
        if (!Exists || State.Sealed)
        {
            return;
        }

        State.Sealed = true;
        await WriteAsync();
        await FinishIfDoneAsync();
    }

    public async Task Abandon()
    {
        if (!Exists || State.Sealed)
        {
            return;
        }

        await ForgetAsync();
        LogAbandoned(Id);
    }

    public async Task<BatchStatus?> Get()
    {
        if (!Exists)
        {
            return null;
        }

        var live = await AskUnfinishedAsync();
        await FinishIfDoneAsync();
        return Status(live);
    }

    public async Task<BatchStatus?> Cancel(string? actor)
    {
        if (!Exists)
        {
            return null;
        }

        // All at once (a batch holds up to 1,000 members); what the cancelled ones say is recorded even if one call fails.
        var calls = BatchTally.Unfinished(State)
            .Select(member => (Member: member, Call: GrainFactory.GetGrainByKey<ITaskGrain>(member).Cancel("batch cancelled", actor)))
            .ToList();
        await Task.WhenAll(calls.Select(c => (Task)c.Call)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        var changed = false;
        foreach (var (member, call) in calls.Where(c => c.Call.IsCompletedSuccessfully))
        {
            if (call.Result.Task is { } task)
            {
                changed |= BatchTally.Record(State, member, task.Status);
            }
        }

        if (changed)
        {
            await WriteAsync();
        }

        if (calls.FirstOrDefault(c => !c.Call.IsCompletedSuccessfully).Call is { } failed)
        {
            await failed;
        }

        return await Get();
    }

    public async Task MemberFinished(string taskId, TaskState status)
    {
        if (Exists && BatchTally.Record(State, taskId, status))
        {
            await WriteAsync();
            await FinishIfDoneAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = _time.GetUtcNow();
        if (!Exists)
        {
            // A reminder that outlived its batch (undone, abandoned or forgotten) stops.
            await StopRemindersAsync(RecoveryReminderName, ExpiryReminderName);
            return;
        }

        if (State.CallbackSubmitted)
        {
            await ExpireIfDueAsync(now);
            return;
        }

        if (BatchTally.ShouldUndo(State, now))
        {
            await UndoUnsealedAsync();
            return;
        }

        await AskUnfinishedAsync();
        await FinishIfDoneAsync();
    }

    /// <summary>Asks each unfinished member for its status, records those found finished, and returns what they said.</summary>
    private async Task<Dictionary<string, TaskState?>> AskUnfinishedAsync()
    {
        var unfinished = BatchTally.Unfinished(State);
        var answers = await Task.WhenAll(unfinished.Select(async m => (m, status: await GrainFactory.GetGrainByKey<ITaskProtocolGrain>(m).GetStoredStatus())));
        var changed = false;
        foreach (var (member, status) in answers)
        {
            if (status is { } known)
            {
                changed |= BatchTally.Record(State, member, known);
            }
        }

        if (changed)
        {
            await WriteAsync();
        }

        return answers.ToDictionary(a => a.m, a => a.status, StringComparer.Ordinal);
    }

    /// <summary>
    /// Once every member has finished: submits the callback, then stores that it did. A crash in between submits it
    /// again at the next reminder, and the fixed id answers with the task that exists.
    /// </summary>
    private async Task FinishIfDoneAsync()
    {
        if (State.CallbackSubmitted || !BatchTally.IsFinished(State))
        {
            return;
        }

        var counts = BatchTally.Count(State, new Dictionary<string, TaskState?>());
        var callback = State.Callback! with { Payload = BatchTally.CallbackPayload(Id, counts, State.Callback!.Payload) };
        var callbackId = BatchTally.CallbackTaskId(Id);
        var result = await GrainFactory.GetGrainByKey<ITaskGrain>(callbackId).Submit(callback);
        if (result.Outcome is SubmitOutcome.QueueFull or SubmitOutcome.QueueLimitReached)
        {
            // Room may come: the reminder tries again.
            LogCallbackDeferred(Id, result.Reason);
            return;
        }

        if (result.Outcome is not (SubmitOutcome.Accepted or SubmitOutcome.AlreadyExists))
        {
            // It can never be accepted (its type went away, the wrapped payload is too large): say so once, and stop.
            LogCallbackRefused(Id, result.Outcome, result.Reason);
        }

        // The expiry reminder before the finish is stored: a stored finished batch always has something that wakes it.
        var finishedAt = _time.GetUtcNow();
        await ArmExpiryAsync(finishedAt, finishedAt);
        State.CallbackSubmitted = true;
        State.FinishedAt = finishedAt;
        await WriteAsync();
        await StopRemindersAsync(RecoveryReminderName);
        LogFinished(Id, callbackId, counts.Completed, counts.Failed, counts.Cancelled);
    }

    /// <summary>The request that was making the batch died before it had submitted every member: undo what it made.</summary>
    private async Task UndoUnsealedAsync()
    {
        // All at once; if one fails, nothing is forgotten and the next reminder tick undoes the batch again.
        await Task.WhenAll(State.Members.Select(member => GrainFactory.GetGrainByKey<ITaskGrain>(member).Cancel("batch abandoned: its request did not finish", null)));
        await ForgetAsync();
        LogAbandoned(Id);
    }

    private async Task ForgetAsync()
    {
        await StopRemindersAsync(RecoveryReminderName, ExpiryReminderName);
        await _state.ClearAsync();
        _state.State = new BatchGrainState();
    }

    private BatchStatus Status(IReadOnlyDictionary<string, TaskState?> live) => new()
    {
        Id = Id,
        Total = State.Members.Count,
        Counts = BatchTally.Count(State, live),
        Finished = State.CallbackSubmitted,
        CallbackTaskId = BatchTally.CallbackTaskId(Id),
    };

    private async Task StopRemindersAsync(params string[] names)
    {
        foreach (var name in names)
        {
            if (await this.GetReminder(name) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex) when (ex is not TaskEngineUnavailableException)
        {
            // What is stored is unknown: the next activation reads it. Storage exceptions do not cross grain calls.
            DeactivateOnIdle();
            LogWriteFailed(ex, Id);
            throw new TaskEngineUnavailableException($"The store did not confirm the change to batch {Id}; try again. ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
