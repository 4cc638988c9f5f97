namespace Orleans.TaskEngine.Hosting;

/// <summary>The in-silo workers (section <c>TaskEngine:Workers</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "TaskEngine:Workers";

    /// <summary>Worker pools; when none is configured, one pool of 2 workers × 3 slots serves every queue.</summary>
    public List<WorkerPoolOptions> Pools { get; set; } = [];

    /// <summary>How often a worker tells the directory it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On a graceful stop of the silo (SIGTERM), how long its workers, which take no new work from the first moment, let
    /// running handlers finish. Handlers still running then are cancelled; what is left after the
    /// <see cref="CancellationGracePeriod"/> is handed back (error kind <c>handed_back</c>) and runs again elsewhere.
    /// Zero hands back at once. The host's shutdown timeout is raised to leave room for both.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a worker keeps trying to tell a task grain how its attempt ended when the report fails (the task store is
    /// unavailable, the task's silo is unreachable), backing off from 100 ms to 5 s. Meanwhile the worker still answers that
    /// it runs the attempt, so the task is not run again; past this, it gives up and the task's liveness check re-runs it.
    /// </summary>
    public TimeSpan ReportRetryLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a handler whose token fired (cancel, timeout, worker stopping) may take to return before the worker lets
    /// its slot go: the handler keeps its thread, but its attempt is over and whatever it returns later is dropped.
    /// Also the margin past a task's timeout after which a worker that was never told to cancel cancels by itself.
    /// </summary>
    public TimeSpan CancellationGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest a silo's workers take to stop: the two grace periods, and a few seconds for the hand-back reports.
    /// </summary>
    public TimeSpan StopBudget => ShutdownGracePeriod + CancellationGracePeriod + HandBackReportAllowance;

    internal static TimeSpan HandBackReportAllowance => TimeSpan.FromSeconds(5);

    public IReadOnlyList<WorkerPoolOptions> EffectivePools => Pools.Count > 0 ? Pools : [new WorkerPoolOptions()];
}
