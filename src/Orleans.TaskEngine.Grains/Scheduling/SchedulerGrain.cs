using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Workers;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Diagnostics;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// One queue: ready tasks in priority order, handed to the least-loaded live worker that serves the queue.
/// Reentrant so that dispatch calls to workers never hold up submits; every state change happens between awaits.
/// The queue itself is memory: the durable queue index (written by the task grains) is what survives. A new
/// activation rebuilds the queue from it, and so does a live one whenever a silo dies, because the tasks that silo
/// held may have lost their way back, and once every rebuild interval, the backstop for a task whose transition was
/// lost (e.g. a write refused while the database restarted). Dispatching a task that is not pending costs a refused
/// start, nothing more, and the refused start wakes the task, which then finds its own way back.
/// The scheduler also purges the queue's finished tasks whose retention is over.
/// A new queue takes new tasks only if the cluster has room for one more queue (see <see cref="QueueDirectoryGrain"/>);
/// an activation learns that once. Its timer does not keep it active: with nothing pending or running, nothing calls it
/// and Orleans collects it like any idle grain (the silos' keeper wakes it again when the index has work for it).
/// </summary>
[Reentrant]
public sealed partial class SchedulerGrain : Grain, ISchedulerGrain
{
    private string? _queue;
    private readonly TypedReadyQueue _ready = new();
    private readonly Dictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkerSlots> _workers = new(StringComparer.Ordinal);
    private readonly QueueOptions _options;
    private readonly IClusterMembershipService _membership;
    private readonly IQueueIndex _index;
    private readonly TimeProvider _time;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<SchedulerGrain> _logger;
    private readonly QueueGauges _gauges;
    private static readonly TimeSpan WorkerCallTimeout = TimeSpan.FromSeconds(5);

    private readonly HashSet<SiloAddress> _deadSilosSeen = [];
    private readonly Func<string?, bool> _canRunNow;
    private long _assignCounter;
    private bool _rebuilt;
    private DateTimeOffset _lastRebuild;

    // Whether this queue takes new tasks, learned once per activation (null while the directory could not say).
    private bool? _admitted;

    // The start of serving the queue (timer, workers, rebuild): at activation, or later for an activation that was
    // refused and is then given a task of the queue after all. Null until then.
    private Task? _serving;
    private IGrainTimer? _maintenance;

    public SchedulerGrain(
        IOptions<QueueOptions> options, IClusterMembershipService membership, IQueueIndex index, TimeProvider time, ILocalSiloDetails silo,
        ILogger<SchedulerGrain> logger, QueueGauges gauges)
    {
        _gauges = gauges;
        _options = options.Value;
        _membership = membership;
        _index = index;
        _time = time;
        _silo = silo;
        _logger = logger;
        _canRunNow = CanRunNow;
    }

    // The key is decoded from the grain id on each GetPrimaryKeyString: once per activation is enough.
    private string Queue => _queue ??= this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A refused queue serves nothing: no timer, no workers, no index reads. It goes as soon as it is idle.
        _admitted = await AskAdmissionAsync();
        if (_admitted != false)
        {
            await Serving();
        }
    }

    public Task Wake()
    {
        // The silos' keeper wakes queues that have records in the index: an existing queue, whatever the count said.
        if (_admitted == false)
        {
            AdmitExisting();
        }

        return Serving();
    }

    public Task<EnqueueResult> Enqueue(QueueEntry entry, bool isNewSubmit)
    {
        if (_admitted != true)
        {
            if (isNewSubmit)
            {
                return AdmitThenEnqueueAsync(entry);
            }

            // A task that was accepted earlier is always taken back: the queue exists, whatever the count said.
            AdmitExisting();
        }

        return Task.FromResult(EnqueueAdmitted(entry, isNewSubmit));
    }

    private EnqueueResult EnqueueAdmitted(QueueEntry entry, bool isNewSubmit)
    {
        // A task that puts itself back is pending by its own (durable) account: if this queue still holds it as given
        // to a worker, that attempt ended without the release reaching this grain (a report or a message was lost).
        // Forget it, or the task would stay pending forever.
        if (!isNewSubmit && _running.Remove(entry.TaskId, out var staleWorker))
        {
            ReleaseSlots(staleWorker, 1);
            LogStaleAssignment(Queue, entry.TaskId, staleWorker);
        }

        if (_ready.Contains(entry.TaskId))
        {
            // A rebuild put it back already; now the task says so itself.
            _ready.Confirm(entry.TaskId);
            return new EnqueueResult { Accepted = true, Pending = _ready.Count };
        }

        if (_running.ContainsKey(entry.TaskId))
        {
            return new EnqueueResult { Accepted = true, Pending = _ready.Count };
        }

        // Entries a rebuild added are not counted until confirmed: some are tasks that run or finished meanwhile.
        var max = _options.MaxPendingFor(Queue);
        if (isNewSubmit && _ready.Confirmed >= max)
        {
            return new EnqueueResult
            {
                Accepted = false,
                Pending = _ready.Count,
                Reason = $"Queue '{Queue}' is full: it holds {_ready.Confirmed} pending tasks, its maximum is {max}. Try again later.",
            };
        }

        _ready.Add(entry);
        AnnounceToWatchers(entry.TaskId, isNewSubmit);
        Pump();
        return new EnqueueResult { Accepted = true, Pending = _ready.Count };
    }

    public Task<EnqueueResult> Admit() =>
        _admitted == true ? Task.FromResult(new EnqueueResult { Accepted = true, Pending = _ready.Count }) : AdmitSlowAsync();

    public Task Remove(string taskId)
    {
        _ready.Remove(taskId);
        return Task.CompletedTask;
    }

    public Task TasksReleased(string workerId, string[] taskIds)
    {
        if (_serving is null)
        {
            // A worker ran tasks of this queue: it exists.
            AdmitExisting();
        }

        foreach (var taskId in taskIds)
        {
            // Only this worker's assignment: the task may have been given to another worker since (see Enqueue).
            if (_running.TryGetValue(taskId, out var holder) && holder == workerId)
            {
                _running.Remove(taskId);
            }
        }

        ReleaseSlots(workerId, taskIds.Length);
        Pump();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Another silo's activation exports this queue from now on.
        _gauges.Withdraw(Queue);
        return Task.CompletedTask;
    }

    public Task<QueueStatus> GetStatus() => Task.FromResult(Status());

    private QueueStatus Status() => new()
    {
        Queue = Queue,
        Pending = _ready.Count,
        PendingByPriority = Enum.GetValues<TaskPriority>().ToDictionary(p => p.ToString().ToLowerInvariant(), _ready.CountOf),
        Running = _running.Count,
        Capacity = _options.MaxPendingFor(Queue),
        Workers = [.. _workers.Keys.Order(StringComparer.Ordinal)],
        FreeSlots = _workers.Values.Where(w => !w.Blocked).Sum(w => w.Free),
        Silo = _silo.SiloAddress.ToParsableString(),
        WaitingForCapability = _ready.Types
            .Where(t => t.Type is not null && !_workers.Values.Any(w => w.Registration.Runs(t.Type)))
            .ToDictionary(t => t.Type!, t => t.Count, StringComparer.Ordinal),
        OldestPendingSince = _ready.OldestSequence is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
    };

    public Task<IReadOnlyDictionary<string, string>> GetRunning() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(_running));

    private void Pump()
    {
        // Each worker's share of this pass goes in one call.
        Dictionary<WorkerSlots, List<(QueueEntry Entry, bool Unconfirmed)>>? batches = null;
        while (_ready.Count > 0)
        {
            if (!_ready.TryTake(_canRunNow, out var entry, out var unconfirmed))
            {
                break;
            }

            var worker = PickWorker(entry.Type)!;

            worker.Free--;
            worker.LastAssigned = ++_assignCounter;
            _running[entry.TaskId] = worker.WorkerId;
            batches ??= [];
            if (!batches.TryGetValue(worker, out var batch))
            {
                batches[worker] = batch = [];
            }

            batch.Add((entry, unconfirmed));
        }

        if (batches is null)
        {
            return;
        }

        foreach (var (worker, batch) in batches)
        {
            _ = AssignAsync(worker, batch);
        }
    }

    private async Task AssignAsync(WorkerSlots worker, List<(QueueEntry Entry, bool Unconfirmed)> entries)
    {
        AssignResult? result = null;
        try
        {
            result = worker.Registration.IsAgent
                ? await GrainFactory.GetGrainByKey<IAgentGrain>(worker.WorkerId).Offer(Queue, [.. entries.Select(e => e.Entry)])
                : await GrainFactory.GetGrainByKey<IWorkerGrain>(worker.WorkerId).Assign(Queue, [.. entries.Select(e => e.Entry.TaskId)]);
        }
        catch (Exception ex)
        {
            LogAssignFailed(ex, Queue, entries[0].Entry.TaskId, entries.Count, worker.WorkerId);
            _workers.Remove(worker.WorkerId);
        }

        var accepted = result?.Accepted ?? 0;
        if (accepted == entries.Count)
        {
            return;
        }

        if (result is not null)
        {
            worker.Free = 0;
            worker.Blocked = true;
        }

        // Back in their old places: the sequences they had keep their turn.
        foreach (var (entry, unconfirmed) in entries.Skip(accepted))
        {
            _running.Remove(entry.TaskId);
            _ready.Add(entry, unconfirmed);
        }

        Pump();
    }
}
