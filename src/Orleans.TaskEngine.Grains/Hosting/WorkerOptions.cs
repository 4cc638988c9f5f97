namespace Orleans.TaskEngine.Hosting;

/// <summary>The in-silo workers (section <c>TaskEngine:Workers</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "TaskEngine:Workers";

    /// <summary>Worker pools; when none is configured, one pool of 2 workers × 3 slots serves every queue.</summary>
    public List<WorkerPoolOptions> Pools { get; set; } = [];

    /// <summary>How often a worker tells the directory it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<WorkerPoolOptions> EffectivePools => Pools.Count > 0 ? Pools : [new WorkerPoolOptions()];
}
