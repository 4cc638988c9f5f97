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

    public IReadOnlyList<WorkerPoolOptions> EffectivePools => Pools.Count > 0 ? Pools : [new WorkerPoolOptions()];
}
