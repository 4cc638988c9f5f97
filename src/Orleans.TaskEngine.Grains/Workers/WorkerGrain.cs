using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Runs tasks on the silo that started it, up to its concurrency. Handlers run on the thread pool, off the grain's
/// turn, so the worker keeps answering status, cancel and liveness calls while they work (the execution loop is in
/// <c>WorkerGrain.Execution.cs</c>).
/// What the worker runs is kept in its <see cref="WorkerLedger"/> on this silo, not in the activation: should Orleans take
/// the activation away while handlers run, they go on, and the next activation (the silo starts it again within a
/// heartbeat) still owns their attempts. The grain is placed on the silo its key names (<see cref="WorkerSiloPlacement"/>),
/// kept alive and never moved. An activation that is not started (its silo is gone, or it is not started yet) takes no
/// work, and tells a task that asks whether its attempt runs what its silo's ledger says.
/// </summary>
[Reentrant]
[WorkerSiloPlacement]
[KeepAlive]
[Immovable]
public sealed partial class WorkerGrain : Grain, IWorkerGrain
{
    public const string StoppingReason = "worker stopping";

    /// <summary>The cancel reason of an attempt past its timeout (the task grain's word for it too).</summary>
    public const string TimeoutReason = "timeout";

    private string? _id;
    private string? _siloName;
    private readonly HashSet<string> _refusedQueues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _releases = new(StringComparer.Ordinal);
    private readonly TaskHandlerRegistry _handlers;
    private readonly IServiceProvider _services;
    private readonly ILocalSiloDetails _silo;
    private readonly WorkerOptions _options;
    private readonly ILogger<WorkerGrain> _logger;
    private readonly WorkerLedger _ledger;
    private readonly CancellationToken _siloStopped;

    // Not the Grain base's GrainFactory: that one refuses to work once the activation is gone, and the handlers of a
    // deactivated activation still release their slots and report their outcome.
    private readonly IGrainFactory _grains;
    private WorkerConfiguration? _configuration;
    private IGrainTimer? _heartbeat;
    private bool _stopping;
    private string[]? _taskTypes;

    public WorkerGrain(
        TaskHandlerRegistry handlers, IServiceProvider services, ILocalSiloDetails silo, IOptions<WorkerOptions> options, WorkerLedgers ledgers,
        IGrainFactory grains, ILogger<WorkerGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(ledgers);
        _grains = grains;
        _handlers = handlers;
        _services = services;
        _silo = silo;
        _options = options.Value;
        _logger = logger;
        _ledger = ledgers.For(Id);
        _siloStopped = ledgers.Stopped;
    }

    // The key is decoded from the grain id on each GetPrimaryKeyString: once per activation is enough.
    private string Id => _id ??= this.GetPrimaryKeyString();
    // SiloAddress formats itself anew on every call; every task this worker starts is told it.
    private string SiloName => _siloName ??= _silo.SiloAddress.ToParsableString();
    private bool Active => _configuration is not null;
    private int Concurrency => _configuration?.Concurrency ?? 0;
    private int FreeSlots => Math.Max(0, Concurrency - _ledger.Busy);

    public async Task Start(WorkerConfiguration configuration)
    {
        var local = _silo.SiloAddress.ToParsableString();
        if (configuration.Silo != local || !WorkerKey.TryParseSilo(Id, out var owner) || !owner.Equals(_silo.SiloAddress))
        {
            throw new InvalidOperationException($"Worker {Id} belongs to silo {configuration.Silo} but was activated on {local}.");
        }

        if (Active)
        {
            // Already running: the silo's keeper asks every few seconds, and only a fresh activation needs starting.
            return;
        }

        _configuration = configuration;
        _stopping = false;
        _heartbeat?.Dispose();
        _heartbeat = this.RegisterGrainTimer(
            _ => OnHeartbeatAsync(),
            new GrainTimerCreationOptions { DueTime = _options.HeartbeatInterval, Period = _options.HeartbeatInterval, Interleave = true, KeepAlive = true });
        await HeartbeatAsync();
        var running = _ledger.Running.Count;
        if (running > 0)
        {
            LogStartedWithRunning(Id, configuration.Concurrency, running);
        }
        else
        {
            LogStarted(Id, configuration.Concurrency);
        }
    }

    /// <summary>
    /// Takes no new work from now on and returns; running handlers get the shutdown grace period to finish, then are
    /// cancelled, and what is left is handed back (see <c>WorkerGrain.Stopping.cs</c>). The silo's
    /// <see cref="WorkerPoolStarter"/> waits for the worker's ledger to empty.
    /// </summary>
    public async Task Stop()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _configuration = null;
        _heartbeat?.Dispose();
        _heartbeat = null;
        await _grains.GetGrain<IWorkerDirectoryGrain>(0).Unregister(Id);
        _ = DrainAsync(_options.ShutdownGracePeriod);
    }

    public Task<AssignResult> Assign(string queue, string[] taskIds)
    {
        var accepted = 0;
        foreach (var taskId in taskIds)
        {
            if (!Active || FreeSlots == 0 || _ledger.Running.ContainsKey(taskId))
            {
                _refusedQueues.Add(queue);
                break;
            }

            var execution = new WorkerExecution(queue);
            _ledger.Running[taskId] = execution;
            _ledger.TakeSlot();
            accepted++;
            _ = RunAsync(taskId, execution);
        }

        return Task.FromResult(new AssignResult { Accepted = accepted, FreeSlots = FreeSlots });
    }

    public Task Cancel(string taskId, int attempt, string reason)
    {
        // The task grain has moved the task on already (cancelled it, or failed the attempt by its timeout): should the
        // handler ignore its token, there is nothing left to report for it.
        return _ledger.Running.TryGetValue(taskId, out var execution) && (execution.Attempt == 0 || execution.Attempt == attempt)
            ? CancelHandlerAsync(taskId, execution, reason, reportIfAbandoned: null)
            : Task.CompletedTask;
    }

    /// <summary>
    /// From the ledger, whether this activation is started or not: a fresh activation whose predecessor went away while
    /// handlers ran still owns their attempts.
    /// </summary>
    public Task<bool> IsRunning(string taskId, int attempt) => Task.FromResult(_ledger.Owns(taskId, attempt));

    public Task<WorkerStatus> GetStatus() => Task.FromResult(new WorkerStatus
    {
        WorkerId = Id,
        Silo = _configuration?.Silo,
        Concurrency = Concurrency,
        Queues = _configuration?.Queues ?? [],
        RunningTaskIds = [.. _ledger.Running.Where(r => !r.Value.Released).Select(r => r.Key)],
        Active = Active,
        Completed = _ledger.Completed,
        Failed = _ledger.Failed,
        AbandonedTaskIds = [.. _ledger.Abandoned.Values],
    });

    // Not those reporting their outcome: their slot is free and its release is on its way to the queue already.
    public Task<string[]> GetRunningTasks(string queue) =>
        Task.FromResult(Active ? _ledger.Running.Where(r => r.Value.Queue == queue && !r.Value.Released).Select(r => r.Key).ToArray() : []);

    /// <summary>
    /// Orleans takes this activation away. Unless the silo is shutting down, the silo stays, and so do the handlers:
    /// their attempts stay in the ledger, each reports its own outcome, and the next activation, which the silo's keeper
    /// starts within a heartbeat, owns them meanwhile. Cancelling them would run them again for no cause a caller could
    /// name. A silo shutting down has normally stopped its workers first (the pool's stop, with its grace period); one
    /// that did not get to this worker hands back what runs here at once, within the time Orleans gives.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _configuration = null;
        _heartbeat?.Dispose();
        _heartbeat = null;
        if (_ledger.Running.IsEmpty)
        {
            return;
        }

        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            LogDeactivatedWhileRunning(Id, reason.ReasonCode, _ledger.Running.Count);
            return;
        }

        if (!_stopping)
        {
            _stopping = true;
            await DrainAsync(TimeSpan.Zero);
        }

        try
        {
            await _ledger.WhenEmpty().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogDeactivatedWhileRunning(Id, reason.ReasonCode, _ledger.Running.Count);
        }
    }

    private Task OnHeartbeatAsync()
    {
        CancelOverdueHandlers();
        return HeartbeatAsync();
    }

    private Task HeartbeatAsync() =>
        _configuration is null
            ? Task.CompletedTask
            : _grains.GetGrain<IWorkerDirectoryGrain>(0).Register(new WorkerRegistration
            {
                WorkerId = Id,
                Silo = _configuration.Silo,
                Concurrency = _configuration.Concurrency,
                Queues = _configuration.Queues,
                TaskTypes = _taskTypes ??= [.. _handlers.Types.Order(StringComparer.Ordinal)],
            });
}
