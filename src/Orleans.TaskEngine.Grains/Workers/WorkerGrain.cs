using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Runs tasks on the silo that started it, up to its concurrency. Handlers run on the thread pool, off the grain's
/// turn, so the worker keeps answering status, cancel and liveness calls while they work.
/// A worker grain activated anywhere else (its silo died and someone called it) is inactive: it runs nothing and
/// tells a task that asks that it does not run it, which sends the task back to its queue.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class WorkerGrain : Grain, IWorkerGrain
{
    public const string StoppingReason = "worker stopping";

    private string? _id;
    private string? _siloName;
    private readonly Dictionary<string, WorkerExecution> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refusedQueues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _releases = new(StringComparer.Ordinal);
    private readonly TaskHandlerRegistry _handlers;
    private readonly IServiceProvider _services;
    private readonly ILocalSiloDetails _silo;
    private readonly WorkerOptions _options;
    private readonly ILogger<WorkerGrain> _logger;
    private WorkerConfiguration? _configuration;
    private IGrainTimer? _heartbeat;
    // Executions whose handler has not finished yet (not Reporting): the slots in use.
    private int _busy;
    private long _completed;
    private long _failed;

    public WorkerGrain(TaskHandlerRegistry handlers, IServiceProvider services, ILocalSiloDetails silo, IOptions<WorkerOptions> options, ILogger<WorkerGrain> logger)
    {
        _handlers = handlers;
        _services = services;
        _silo = silo;
        _options = options.Value;
        _logger = logger;
    }

    // The key is decoded from the grain id on each GetPrimaryKeyString: once per activation is enough.
    private string Id => _id ??= this.GetPrimaryKeyString();
    // SiloAddress formats itself anew on every call; every task this worker starts is told it.
    private string SiloName => _siloName ??= _silo.SiloAddress.ToParsableString();
    private bool Active => _configuration is not null;
    private int Concurrency => _configuration?.Concurrency ?? 0;
    private int FreeSlots => Math.Max(0, Concurrency - _busy);

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
        _heartbeat?.Dispose();
        _heartbeat = this.RegisterGrainTimer(
            _ => HeartbeatAsync(),
            new GrainTimerCreationOptions { DueTime = _options.HeartbeatInterval, Period = _options.HeartbeatInterval, Interleave = true, KeepAlive = true });
        await HeartbeatAsync();
        LogStarted(Id, configuration.Concurrency);
    }

    public async Task Stop()
    {
        if (!Active)
        {
            return;
        }

        _configuration = null;
        _heartbeat?.Dispose();
        _heartbeat = null;
        await GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).Unregister(Id);
        foreach (var execution in _running.Values)
        {
            execution.CancelReason = StoppingReason;
            await execution.Cancellation.CancelAsync();
        }

        LogStopped(Id, _running.Count);
    }

    public Task<AssignResult> Assign(string queue, string[] taskIds)
    {
        var accepted = 0;
        foreach (var taskId in taskIds)
        {
            if (!Active || FreeSlots == 0 || _running.ContainsKey(taskId))
            {
                _refusedQueues.Add(queue);
                break;
            }

            var execution = new WorkerExecution(queue);
            _running[taskId] = execution;
            _busy++;
            accepted++;
            _ = RunAsync(taskId, execution);
        }

        return Task.FromResult(new AssignResult { Accepted = accepted, FreeSlots = FreeSlots });
    }

    public async Task Cancel(string taskId, int attempt, string reason)
    {
        if (_running.TryGetValue(taskId, out var execution) && (execution.Attempt == 0 || execution.Attempt == attempt))
        {
            execution.CancelReason = reason;
            await execution.Cancellation.CancelAsync();
        }
    }

    public Task<bool> IsRunning(string taskId, int attempt) =>
        Task.FromResult(Active && _running.TryGetValue(taskId, out var execution) && (execution.Attempt == 0 || execution.Attempt == attempt));

    public Task<WorkerStatus> GetStatus() => Task.FromResult(new WorkerStatus
    {
        WorkerId = Id,
        Silo = _configuration?.Silo,
        Concurrency = Concurrency,
        Queues = _configuration?.Queues ?? [],
        RunningTaskIds = [.. _running.Where(r => !r.Value.Reporting).Select(r => r.Key)],
        Active = Active,
        Completed = _completed,
        Failed = _failed,
    });

    // Not those reporting their outcome: their slot is free and its release is on its way to the queue already.
    public Task<string[]> GetRunningTasks(string queue) =>
        Task.FromResult(Active ? _running.Where(r => r.Value.Queue == queue && !r.Value.Reporting).Select(r => r.Key).ToArray() : []);

    private Task HeartbeatAsync() =>
        _configuration is null
            ? Task.CompletedTask
            : GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).Register(new WorkerRegistration
            {
                WorkerId = Id,
                Silo = _configuration.Silo,
                Concurrency = _configuration.Concurrency,
                Queues = _configuration.Queues,
            });

    private async Task RunAsync(string taskId, WorkerExecution execution)
    {
        var task = GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId);
        try
        {
            StartResult start;
            try
            {
                start = await task.TryStart(Id, SiloName);
            }
            catch (Exception ex)
            {
                LogStartFailed(ex, taskId, Id);
                return;
            }

            if (start.WorkItem is not { } item)
            {
                return;
            }

            execution.Attempt = item.Attempt;
            var handlerServices = _services;
            var handlers = _handlers;

            // Off the grain's scheduler: a handler may block or run for minutes without holding up this grain.
            var (result, error) = await Task.Run(
                () => ExecuteAsync(handlers, handlerServices, task, item, execution),
                CancellationToken.None);

            // The slot is free as soon as the handler is done, not once the task grain has stored the outcome:
            // otherwise every slot would sit idle for the length of that write.
            ReleaseSlot(taskId, execution);

            if (error is null)
            {
                _completed++;
                await task.ReportCompleted(item.Attempt, result);
            }
            else
            {
                _failed++;
                await task.ReportFailed(item.Attempt, error);
            }
        }
        catch (Exception ex)
        {
            // The task grain's liveness check finds the attempt gone and sends the task back to its queue.
            LogReportFailed(ex, taskId, Id);
        }
        finally
        {
            _running.Remove(taskId);
            if (!execution.Reporting)
            {
                ReleaseSlot(taskId, execution);
            }

            execution.Dispose();
        }
    }

    private static async Task<(string? Result, TaskError? Error)> ExecuteAsync(
        TaskHandlerRegistry handlers, IServiceProvider services, ITaskProtocolGrain task, TaskWorkItem item, WorkerExecution execution)
    {
        var token = execution.Cancellation.Token;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var handler = handlers.Create(scope.ServiceProvider, item.Type)
                ?? throw new PermanentTaskException($"No handler for task type '{item.Type}' on this silo.");
            using var payload = JsonDocument.Parse(item.Payload);
            var context = new TaskHandlerContext
            {
                TaskId = item.TaskId,
                Type = item.Type,
                Payload = payload.RootElement,
                Attempt = item.Attempt,
                MaxAttempts = item.MaxAttempts,
                Progress = new TaskProgressReporter(task, item.Attempt),
            };
            token.ThrowIfCancellationRequested();
            var result = await handler.HandleAsync(context, token);
            return (result?.GetRawText() ?? "null", null);
        }
        catch (PermanentTaskException ex)
        {
            return (null, Error(TaskErrorKinds.Permanent, ex.Message));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var kind = execution.CancelReason == StoppingReason ? TaskErrorKinds.WorkerLost : TaskErrorKinds.Cancelled;
            return (null, Error(kind, $"the handler was cancelled ({execution.CancelReason ?? "cancelled"})"));
        }
        catch (Exception ex)
        {
            return (null, Error(TaskErrorKinds.Error, $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    /// <summary>
    /// Tells schedulers about freed slots in batches: the flush runs after the work already queued on this
    /// grain, so under load one message carries many releases.
    /// </summary>
    private async Task FlushReleasesAsync()
    {
        await Task.Yield();
        foreach (var (queue, taskIds) in _releases)
        {
            GrainFactory.GetGrainByKey<ISchedulerGrain>(queue).TasksReleased(Id, [.. taskIds]).Ignore();
        }

        _releases.Clear();
    }

    private static TaskError Error(string kind, string message) => new() { Kind = kind, Message = message };

    private void ReleaseSlot(string taskId, WorkerExecution execution)
    {
        execution.Reporting = true;
        _busy--;
        if (!_releases.TryGetValue(execution.Queue, out var released))
        {
            _releases[execution.Queue] = released = [];
        }

        released.Add(taskId);
        if (_releases.Count == 1 && released.Count == 1)
        {
            _ = FlushReleasesAsync();
        }

        var free = FreeSlots;
        if (_refusedQueues.Count > 0 && Active)
        {
            foreach (var queue in _refusedQueues)
            {
                if (queue != execution.Queue)
                {
                    GrainFactory.GetGrainByKey<ISchedulerGrain>(queue).WorkerAvailable(Id, free).Ignore();
                }
            }

            _refusedQueues.Clear();
        }
    }
}
