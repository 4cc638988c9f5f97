using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// One schedule: a grain timer set to the next fire time keeps it firing (any period, a second included), and keeps it
/// active. A fire time's task is submitted first and the fire time stored after, so a crash between the two submits the
/// same task id again: a no-op. What brings a schedule back after its silo died or the cluster restarted: its reminder
/// (every minute) and the silos' <see cref="ScheduleKeeper"/> (at start, then periodically); the first tick of an
/// activation treats what fell due meanwhile as missed (<see cref="FiringPlan"/>).
/// </summary>
public sealed partial class ScheduleGrain : Grain, IScheduleGrain, IRemindable
{
    public const int MaxRuns = 100;
    public const int NextFireTimeCount = 5;
    private const string StateName = "schedule";
    private const string ReminderName = "schedule";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private readonly StoredGrainState<ScheduleGrainState> _state;
    private readonly TaskEngineClusterClient _engine;
    private readonly TimeProvider _time;
    private readonly ILogger<ScheduleGrain> _logger;
    private ScheduleClock? _clock;
    private IGrainTimer? _timer;
    private bool _firstTick = true;

    public ScheduleGrain([FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, IGrainFactory grains, TimeProvider time, ILogger<ScheduleGrain> logger)
    {
        _state = new StoredGrainState<ScheduleGrainState>(storage, StateName, this.GetGrainId());
        _engine = new TaskEngineClusterClient(grains);
        _time = time;
        _logger = logger;
    }

    private string Id => this.GetPrimaryKeyString();
    private ScheduleGrainState State => _state.State;
    private ScheduleDefinition? Definition => State.Definition;
    private DateTimeOffset Now => _time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.ReadAsync();
        if (Definition is { } definition)
        {
            _clock = ScheduleClock.TryCreate(definition.Cron, definition.TimeZone, out var error);
            if (_clock is null)
            {
                LogUnreadable(Id, error);
            }
            else if (!State.Paused)
            {
                Arm(TimeSpan.Zero);
            }
        }
    }

    public async Task<ScheduleInfo> Create(ScheduleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Definition is not null)
        {
            return Info();
        }

        _clock = ScheduleClock.TryCreate(definition.Cron, definition.TimeZone, out var error)
            ?? throw new ArgumentException(error, nameof(definition));

        // Listed first: a listed id without a schedule is woken for nothing, a schedule nobody lists would not be woken.
        await GrainFactory.GetGrain<IScheduleDirectoryGrain>(0).Add(Id);
        var now = Now;
        _state.State = new ScheduleGrainState { Definition = definition, CreatedAt = now, LastFireTime = now };
        await _state.WriteAsync();
        LogCreated(Id, definition.Cron, definition.TimeZone);
        await RegisterReminderAsync();
        _firstTick = false;
        ArmNext();
        return Info();
    }

    public Task<ScheduleInfo?> Get()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return Task.FromResult<ScheduleInfo?>(null);
        }

        return Task.FromResult<ScheduleInfo?>(Info());
    }

    public async Task<ScheduleInfo?> Pause()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return null;
        }

        if (!State.Paused)
        {
            State.Paused = true;
            await _state.WriteAsync();
            Disarm();
            await UnregisterReminderAsync();
        }

        return Info();
    }

    public async Task<ScheduleInfo?> Resume()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return null;
        }

        if (State.Paused)
        {
            // From now: what fell due while paused was paused, not missed.
            State.Paused = false;
            State.LastFireTime = Now;
            await _state.WriteAsync();
            await RegisterReminderAsync();
            _firstTick = false;
            ArmNext();
        }

        return Info();
    }

    public async Task<ScheduleTriggerResult?> Trigger()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return null;
        }

        var fireTime = Now;
        var (run, submit) = await FireAsync(fireTime, checkOverlap: false, CancellationToken.None);
        if (run is not null)
        {
            await _state.WriteAsync();
        }

        return new ScheduleTriggerResult { Run = run ?? new ScheduleRun(submit.TaskId, fireTime), Submit = submit };
    }

    public async Task<bool> Delete()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return false;
        }

        Disarm();
        await _state.ClearAsync();
        _state.State = new ScheduleGrainState();
        await UnregisterReminderAsync();
        await GrainFactory.GetGrain<IScheduleDirectoryGrain>(0).Remove(Id);
        LogDeleted(Id);
        DeactivateOnIdle();
        return true;
    }

    public Task<ScheduleRun[]?> GetRuns()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
            return Task.FromResult<ScheduleRun[]?>(null);
        }

        return Task.FromResult<ScheduleRun[]?>([.. Enumerable.Reverse(State.Runs)]);
    }

    public Task Wake()
    {
        if (Definition is null)
        {
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activating the grain was the point (OnActivateAsync arms the timer); one left behind by a delete goes.
        if (reminderName == ReminderName && (Definition is null || State.Paused))
        {
            await UnregisterReminderAsync();
        }
    }

    private ScheduleInfo Info() => new()
    {
        Id = Id,
        Definition = Definition!,
        Paused = State.Paused,
        CreatedAt = State.CreatedAt,
        NextFireTimes = State.Paused || _clock is null ? [] : _clock.NextTimes(Max(Now, State.LastFireTime), NextFireTimeCount),
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
