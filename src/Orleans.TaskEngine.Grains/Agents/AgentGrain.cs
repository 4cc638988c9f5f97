using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// One agent, as a worker in the schedulers' view: its registration is stored; its slots, the tasks offered to it and
/// its leases live here in memory (leases are in <c>AgentGrain.Leases.cs</c>). Its liveness timer declares it dead when
/// its heartbeats stop for a lease's length: its leased tasks go back to pending at once (kind <c>worker_lost</c>).
/// Should this grain's silo die, the agent's next heartbeat activates it elsewhere, which learns the agent's leases
/// from that heartbeat; should the agent die with it, the tasks' own liveness checks find nobody runs them.
/// </summary>
[Reentrant]
public sealed partial class AgentGrain : Grain, IAgentGrain
{
    private const string StateName = "agent";
    private readonly StoredGrainState<AgentGrainState> _state;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<AgentGrain> _logger;
    private string? _id;
    private IGrainTimer? _liveness;
    private DateTimeOffset _lastHeartbeat;
    private DateTimeOffset _activatedAt;
    private double? _cpuPercent;
    private long? _memoryBytes;
    private long _completed;
    private long _failed;

    public AgentGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, IOptions<AgentOptions> options, TimeProvider time, ILocalSiloDetails silo,
        ILogger<AgentGrain> logger)
    {
        _state = new StoredGrainState<AgentGrainState>(storage, StateName, this.GetGrainId());
        _options = options.Value;
        _time = time;
        _silo = silo;
        _logger = logger;
    }

    private string Id => _id ??= this.GetPrimaryKeyString();
    private AgentGrainState Stored => _state.State;
    private AgentRegistration Registration => Stored.Registration!;
    private bool Live => Stored.State is AgentState.Active or AgentState.Draining;
    private DateTimeOffset Now => _time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.ReadAsync();
        _activatedAt = Now;

        // A fresh activation of a live agent (its last one went with its silo): the agent has a lease's length to
        // heartbeat here before it is declared dead, and is schedulable again at once.
        _lastHeartbeat = Now;
        if (Live)
        {
            StartLivenessTimer();
            if (Stored.State == AgentState.Active)
            {
                await AnnounceAsync();
            }
        }
    }

    public async Task<AgentRegistered> Register(AgentRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (Stored.State != AgentState.Unknown)
        {
            throw new InvalidOperationException($"Agent {Id} is registered already; agent ids are never reused.");
        }

        _state.State = new AgentGrainState
        {
            Registration = registration,
            State = AgentState.Active,
            RegisteredAt = Now,
            Secret = RandomNumberGenerator.GetBytes(32),
        };
        await WriteAsync();
        _lastHeartbeat = Now;
        await GrainFactory.GetGrain<IAgentRegistryGrain>(0).Add(
            Id, registration.TaskTypes, Audit("registered", registration.RegisteredBy ?? "anonymous") with { Name = registration.Name, TaskTypes = registration.TaskTypes });
        StartLivenessTimer();
        await AnnounceAsync();
        LogRegistered(Id, registration.Name, registration.TaskTypes.Count, registration.Concurrency);
        return new AgentRegistered { Id = Id, HeartbeatSeconds = _options.HeartbeatSeconds, LeaseSeconds = _options.LeaseSeconds };
    }

    public async Task<AgentHeartbeatResult> Heartbeat(AgentHeartbeat heartbeat)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        EnsureLive();
        _lastHeartbeat = Now;
        _cpuPercent = heartbeat.CpuPercent ?? _cpuPercent;
        _memoryBytes = heartbeat.MemoryBytes ?? _memoryBytes;
        if (heartbeat.RunningTaskIds is { } running)
        {
            await LearnLeasesAsync(running);
        }

        if (Stored.State == AgentState.Active)
        {
            // Renews the directory's entry (soft state, rebuilt from heartbeats should its grain be lost).
            await Directory.Register(ToWorkerRegistration());
        }

        return new AgentHeartbeatResult { CancelledTaskIds = CancelledTaskIds() };
    }

    public async Task Deregister(string? actor = null)
    {
        if (Stored.State != AgentState.Active)
        {
            EnsureLive();
            return;
        }

        Stored.State = AgentState.Draining;
        await WriteAsync(Audit("deregistered", actor ?? "anonymous"));
        await LeaveAsync();
        HandBackOffers();
        Signal();
        LogDeregistered(Id, _leases.Count);
        await FinishDrainingIfDoneAsync();
    }

    public Task<AgentStatus> GetStatus()
    {
        if (Stored.Registration is null)
        {
            throw new AgentNotFoundException($"No agent {Id}.");
        }

        return Task.FromResult(new AgentStatus
        {
            Id = Id,
            Name = Registration.Name,
            State = Stored.State,
            Queues = Registration.Queues,
            TaskTypes = Registration.TaskTypes,
            Concurrency = Registration.Concurrency,
            SlotsInUse = Live ? _leases.Count + _offers.Count : 0,
            LastHeartbeat = Live ? _lastHeartbeat : Stored.DiedAt,
            CpuPercent = _cpuPercent,
            MemoryBytes = _memoryBytes,
            Completed = _completed,
            Failed = _failed,
            Labels = Registration.Labels,
            RegisteredAt = Stored.RegisteredAt,
        });
    }

    private IWorkerDirectoryGrain Directory => GrainFactory.GetGrain<IWorkerDirectoryGrain>(0);

    private ISchedulerGrain Scheduler(string queue) => GrainFactory.GetGrainByKey<ISchedulerGrain>(queue);

    private void EnsureLive()
    {
        if (!Live)
        {
            throw new AgentNotFoundException(
                Stored.State == AgentState.Dead
                    ? $"Agent {Id} is dead (it missed its heartbeats, or it deregistered): register again."
                    : $"No agent {Id}: register first.");
        }
    }

    private WorkerRegistration ToWorkerRegistration() => new()
    {
        WorkerId = Id,
        Silo = _silo.SiloAddress.ToParsableString(),
        Concurrency = Registration.Concurrency,
        Queues = Registration.Queues,
        TaskTypes = Registration.TaskTypes,
        StaleAfter = _options.Lease,
    };

    /// <summary>In the directory, and pushed to its queues' schedulers: schedulable now, not at their next tick.</summary>
    private async Task AnnounceAsync()
    {
        var registration = ToWorkerRegistration();
        await Directory.Register(registration);
        foreach (var queue in Registration.Queues)
        {
            Scheduler(queue).WorkerJoined(registration).Ignore();
        }
    }

    /// <summary>Out of the directory first, so no scheduler's next read brings it back; then out of each scheduler.</summary>
    private async Task LeaveAsync()
    {
        try
        {
            await Directory.Unregister(Id);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // Its entry goes stale on its own after a lease's length.
            LogLeaveFailed(ex, Id);
        }

        foreach (var queue in Registration.Queues)
        {
            Scheduler(queue).WorkerLeft(Id).Ignore();
        }
    }

    private void StartLivenessTimer()
    {
        _liveness ??= this.RegisterGrainTimer(
            _ => CheckLivenessAsync(),
            new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(1), Period = TimeSpan.FromSeconds(1), Interleave = true, KeepAlive = true });
    }

    private async Task CheckLivenessAsync()
    {
        if (!Live)
        {
            StopLivenessTimer();
            return;
        }

        var now = Now;
        if (now - _lastHeartbeat > _options.Lease)
        {
            await DeclareDeadAsync($"no heartbeat for {(now - _lastHeartbeat).TotalSeconds:F0} s (lease {_options.LeaseSeconds} s)");
            return;
        }

        ExpireOffersAndCancellations(now);
        await FinishDrainingIfDoneAsync();
    }

    /// <summary>The agent is gone: its leased tasks go back to pending at once and run elsewhere.</summary>
    private async Task DeclareDeadAsync(string why)
    {
        var leased = _leases.Where(l => l.Value.CancelledAt is null).Select(l => l.Key).ToList();
        Stored.State = AgentState.Dead;
        Stored.DiedAt = Now;
        LogDeclaredDead(Id, why, leased.Count);
        await LeaveAsync();
        HandBackOffers();
        _leases.Clear();
        _cancelled.Clear();
        Signal();
        foreach (var taskId in leased)
        {
            GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId).WorkerLost(Id).Ignore();
        }

        StopLivenessTimer();
        await WriteOrLogAsync(Audit("dead", "system"));
    }

    private async Task FinishDrainingIfDoneAsync()
    {
        if (Stored.State == AgentState.Draining && _leases.Count == 0 && _offers.Count == 0)
        {
            Stored.State = AgentState.Dead;
            Stored.DiedAt = Now;
            StopLivenessTimer();
            await WriteOrLogAsync(Audit("drained", "system"));
        }
    }

    private void StopLivenessTimer()
    {
        _liveness?.Dispose();
        _liveness = null;
    }

    private AgentAuditEvent Audit(string kind, string actor) =>
        new() { AgentId = Id, Kind = kind, Actor = actor, Silo = _silo.SiloAddress.ToParsableString() };

    /// <summary>Stores the agent's state, then the registry's view of it, with <paramref name="audit"/> (what changed, and who changed it).</summary>
    private async Task WriteAsync(AgentAuditEvent? audit = null)
    {
        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex) when (ex is not TaskEngineUnavailableException)
        {
            throw new TaskEngineUnavailableException($"The agent store did not confirm the change to agent {Id} ({ex.GetType().Name}: {ex.Message}).");
        }

        await GrainFactory.GetGrain<IAgentRegistryGrain>(0).Update(Id, Stored.State, audit);
    }

    /// <summary>For a state this grain holds in memory anyway (dead): a later activation that reads the old one re-learns it.</summary>
    private async Task WriteOrLogAsync(AgentAuditEvent audit)
    {
        try
        {
            await WriteAsync(audit);
        }
        catch (Exception ex) when (ex is TaskEngineUnavailableException or OrleansException or TimeoutException)
        {
            LogStateWriteFailed(ex, Id, Stored.State);
        }
    }
}
