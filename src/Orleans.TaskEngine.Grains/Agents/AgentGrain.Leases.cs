using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// The agent's slots: tasks its schedulers offered (still pending, until the agent polls them), and leases (attempts
/// started on the agent). A slot is taken from the offer until the agent reports the attempt, it is cancelled and the
/// agent stops it, or the agent dies.
/// </summary>
public sealed partial class AgentGrain
{
    private readonly List<AgentOffer> _offers = [];
    private readonly Dictionary<string, AgentLeaseRecord> _leases = new(StringComparer.Ordinal);

    // Cancelled leases the agent is told of (in heartbeat and poll answers) until it stops them or a lease's length passes.
    private readonly Dictionary<string, DateTimeOffset> _cancelled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refusedQueues = new(StringComparer.Ordinal);
    private TaskCompletionSource _news = NewSignal();

    // Until a fresh activation has heard a heartbeat listing what the agent runs, it cannot say an attempt is not running.
    private bool _leasesKnown;

    private int FreeSlots => Live ? Math.Max(0, Registration.Concurrency - _leases.Count - _offers.Count) : 0;

    public Task<AssignResult> Offer(string queue, QueueEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var accepted = 0;
        var now = Now;
        foreach (var entry in entries)
        {
            if (Stored.State != AgentState.Active || FreeSlots == 0 || _leases.ContainsKey(entry.TaskId) || _offers.Any(o => o.Entry.TaskId == entry.TaskId))
            {
                _refusedQueues.Add(queue);
                break;
            }

            _offers.Add(new AgentOffer(queue, entry, now));
            accepted++;
        }

        if (accepted > 0)
        {
            Signal();
        }

        return Task.FromResult(new AssignResult { Accepted = accepted, FreeSlots = FreeSlots });
    }

    public async Task<AgentPollResult> Poll(TimeSpan wait)
    {
        EnsureLive();
        var deadline = Now + wait;
        while (true)
        {
            if (Stored.State == AgentState.Active && _offers.Count > 0)
            {
                var started = await StartOffersAsync();
                if (started.Count > 0)
                {
                    return new AgentPollResult { Tasks = started, CancelledTaskIds = CancelledTaskIds() };
                }

                continue;
            }

            var remaining = deadline - Now;
            var cancelled = CancelledTaskIds();
            if (remaining <= TimeSpan.Zero || cancelled.Count > 0 || Stored.State != AgentState.Active)
            {
                EnsureLive();
                return new AgentPollResult { CancelledTaskIds = cancelled };
            }

            var news = _news.Task;
            await Task.WhenAny(news, Task.Delay(remaining, _time));
        }
    }

    /// <summary>Starts the offered tasks on the agent (each task's grain makes it running, attempt and all).</summary>
    private async Task<List<AgentLease>> StartOffersAsync()
    {
        var taking = _offers.ToList();
        _offers.Clear();
        var silo = _silo.SiloAddress.ToParsableString();
        var results = await Task.WhenAll(taking.Select(async o =>
        {
            try
            {
                StartResult result = await GrainFactory.GetGrainByKey<ITaskProtocolGrain>(o.Entry.TaskId).TryStart(Id, silo);
                return (Offer: o, Result: result);
            }
            catch (Exception ex) when (ex is TaskEngineUnavailableException or OrleansException or TimeoutException)
            {
                // The task stays pending; its queue has it as given to this agent until the release below.
                LogStartFailed(ex, Id, o.Entry.TaskId);
                return (Offer: o, Result: new StartResult { Reason = ex.Message });
            }
        }));

        var leases = new List<AgentLease>();
        var expiresAt = _lastHeartbeat + _options.Lease;
        foreach (var (offer, result) in results.Select(r => (r.Offer, r.Result)))
        {
            if (result.WorkItem is not { } work || !Live)
            {
                Release(offer.Queue, offer.Entry.TaskId);
                continue;
            }

            _leases[work.TaskId] = new AgentLeaseRecord(offer.Queue, work.Attempt, Now);
            leases.Add(new AgentLease
            {
                TaskId = work.TaskId,
                Type = work.Type,
                Payload = work.Payload,
                Attempt = work.Attempt,
                LeaseToken = AgentLeaseToken.Create(Stored.Secret, Id, work.TaskId, work.Attempt),
                LeaseExpiresAt = expiresAt > Now ? expiresAt : Now + _options.Lease,
                TimeoutSeconds = work.TimeoutSeconds,
                Priority = offer.Entry.Priority,
                Queue = offer.Queue,
            });
        }

        return leases;
    }

    public async Task<AgentReportResult> Report(AgentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (Stored.Registration is null || !AgentLeaseToken.IsValid(Stored.Secret, report.LeaseToken, Id, report.TaskId, out var attempt))
        {
            return Stale($"The lease token is not one this engine gave agent {Id} for task {report.TaskId}.");
        }

        if (Stored.State == AgentState.Dead)
        {
            return Stale($"Agent {Id} was declared dead; its leases are over and its tasks went elsewhere.");
        }

        var held = _leases.TryGetValue(report.TaskId, out var lease) && lease.Attempt == attempt ? lease : null;
        if (held?.CancelledAt is not null || (held is null && _leasesKnown && report.Kind == AgentReportKind.Progress))
        {
            ForgetLease(report.TaskId, attempt);
            return Stale($"The lease on task {report.TaskId} (attempt {attempt}) is over: the task was cancelled, timed out or went elsewhere.");
        }

        var task = GrainFactory.GetGrainByKey<ITaskProtocolGrain>(report.TaskId);
        CommandResult outcome;
        switch (report.Kind)
        {
            case AgentReportKind.Progress:
                await task.ReportProgress(attempt, report.Progress ?? new TaskProgress());
                var snapshot = await GrainFactory.GetGrainByKey<ITaskGrain>(report.TaskId).Get();
                return snapshot is { Status: TaskState.Running } && snapshot.Attempts == attempt
                    ? new AgentReportResult { Accepted = true, Message = "Progress recorded.", Task = snapshot }
                    : Stale($"Task {report.TaskId} is not running attempt {attempt} any more.");
            case AgentReportKind.Complete:
                outcome = await task.ReportCompleted(attempt, report.Result, withSnapshot: true);
                break;
            default:
                outcome = await task.ReportFailed(attempt, report.Error!, withSnapshot: true);
                break;
        }

        // The task as the report left it, in the same answer (no second call to read it).
        var current = outcome.Task;
        var accepted = outcome.Changed || IsSameReportAgain(report, attempt, current);
        ForgetLease(report.TaskId, attempt);
        if (!accepted)
        {
            return Stale($"The lease on task {report.TaskId} (attempt {attempt}) is over: {outcome.Message}");
        }

        if (outcome.Changed)
        {
            if (report.Kind == AgentReportKind.Complete)
            {
                _completed++;
            }
            else
            {
                _failed++;
            }
        }

        return new AgentReportResult { Accepted = true, Message = outcome.Changed ? outcome.Message : "Already reported.", Task = current };
    }

    /// <summary>The same outcome of the same attempt was stored before: a repeat whose first answer was lost.</summary>
    private bool IsSameReportAgain(AgentReport report, int attempt, TaskSnapshot? task) => task is not null && task.WorkerId == Id && report.Kind switch
    {
        AgentReportKind.Complete => task.Status == TaskState.Completed && task.Attempts == attempt,
        _ => task.Errors.Any(e => e.Attempt == attempt && e.Message == report.Error?.Message),
    };

    private static AgentReportResult Stale(string message) => new() { Accepted = false, Message = message };

    public Task Cancel(string taskId, int attempt, string reason)
    {
        if (_leases.TryGetValue(taskId, out var lease) && lease.Attempt == attempt && lease.CancelledAt is null)
        {
            lease.CancelledAt = Now;
            _cancelled[taskId] = Now;
            Signal();
        }

        return Task.CompletedTask;
    }

    public Task<bool> IsRunning(string taskId, int attempt)
    {
        if (_leases.TryGetValue(taskId, out var lease))
        {
            return Task.FromResult(lease.Attempt == attempt && lease.CancelledAt is null);
        }

        // A fresh activation of a live agent does not know its leases until the agent's next heartbeat lists them.
        var unknownYet = Live && !_leasesKnown && Now - _activatedAt < _options.Lease;
        return Task.FromResult(unknownYet);
    }

    public Task<string[]> GetRunningTasks(string queue) => Task.FromResult(
        _leases.Where(l => l.Value.Queue == queue).Select(l => l.Key)
            .Concat(_offers.Where(o => o.Queue == queue).Select(o => o.Entry.TaskId))
            .ToArray());

    /// <summary>
    /// From a heartbeat's list of running tasks: a fresh activation learns the leases the agent holds (each task says
    /// whether it runs on this agent, and which attempt); a cancelled lease the agent no longer runs frees its slot.
    /// </summary>
    private async Task LearnLeasesAsync(IReadOnlyList<string> running)
    {
        if (!_leasesKnown)
        {
            _leasesKnown = true;
            foreach (var taskId in running.Where(id => !_leases.ContainsKey(id) && EngineIds.IsValid(id)).Distinct().Take(Registration.Concurrency))
            {
                var task = await GrainFactory.GetGrainByKey<ITaskGrain>(taskId).Get();
                if (task is { Status: TaskState.Running } && task.WorkerId == Id && Live)
                {
                    _leases[taskId] = new AgentLeaseRecord(task.Queue, task.Attempts, Now);
                }
            }
        }

        var stillRunning = running.ToHashSet(StringComparer.Ordinal);
        foreach (var (taskId, lease) in _leases.Where(l => l.Value.CancelledAt is not null && !stillRunning.Contains(l.Key)).ToList())
        {
            ForgetLease(taskId, lease.Attempt);
        }

        // A lease the agent never listed, well after it was granted: the poll answer that carried it was lost (the
        // connection dropped). Hand the attempt back; it runs again without counting as a failure or a lost worker.
        var unknownBefore = Now - (2 * _options.Heartbeat) - TimeSpan.FromSeconds(2);
        foreach (var (taskId, lease) in _leases.Where(l => l.Value.CancelledAt is null && l.Value.GrantedAt < unknownBefore && !stillRunning.Contains(l.Key)).ToList())
        {
            ForgetLease(taskId, lease.Attempt);
            var error = new TaskError { Kind = TaskErrorKinds.HandedBack, Message = $"agent {Id} does not run it (the answer that gave it the task was lost)" };
            GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId).ReportFailed(lease.Attempt, error).Ignore();
        }
    }

    private void ForgetLease(string taskId, int attempt)
    {
        if (_leases.TryGetValue(taskId, out var lease) && lease.Attempt == attempt)
        {
            _leases.Remove(taskId);
            _cancelled.Remove(taskId);
            Release(lease.Queue, taskId);
        }
    }

    /// <summary>A slot is free again: the queue that gave the task hears it, and so do queues this agent refused.</summary>
    private void Release(string queue, string taskId)
    {
        Scheduler(queue).TasksReleased(Id, [taskId]).Ignore();
        if (_refusedQueues.Count > 0 && FreeSlots > 0 && Stored.State == AgentState.Active)
        {
            foreach (var refused in _refusedQueues)
            {
                Scheduler(refused).WorkerAvailable(Id, FreeSlots).Ignore();
            }

            _refusedQueues.Clear();
        }
    }

    /// <summary>Offers the agent did not poll go back to their queues, in their old places (the tasks are still pending).</summary>
    private void HandBackOffers()
    {
        foreach (var offer in _offers)
        {
            Scheduler(offer.Queue).Enqueue(offer.Entry, isNewSubmit: false).Ignore();
        }

        _offers.Clear();
    }

    private void ExpireOffersAndCancellations(DateTimeOffset now)
    {
        var before = now - _options.Lease;
        if (_offers.Any(o => o.OfferedAt < before))
        {
            // The agent stopped polling but still heartbeats: let others run what it does not take.
            foreach (var offer in _offers.Where(o => o.OfferedAt < before).ToList())
            {
                _offers.Remove(offer);
                Scheduler(offer.Queue).Enqueue(offer.Entry, isNewSubmit: false).Ignore();
            }
        }

        foreach (var (taskId, lease) in _leases.Where(l => l.Value.CancelledAt < before).ToList())
        {
            ForgetLease(taskId, lease.Attempt);
        }
    }

    private IReadOnlyList<string> CancelledTaskIds() => _cancelled.Count == 0 ? [] : [.. _cancelled.Keys];

    private void Signal()
    {
        var news = _news;
        _news = NewSignal();
        news.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
