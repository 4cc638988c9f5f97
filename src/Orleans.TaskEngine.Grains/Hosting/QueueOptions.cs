using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Queues (section <c>TaskEngine:Queues</c>); a queue exists as soon as a task names it.</summary>
public sealed class QueueOptions
{
    public const string Section = "TaskEngine:Queues";

    [Range(1, 100_000_000)]
    public int DefaultMaxPending { get; set; } = 10_000;

    /// <summary>
    /// The most queues the cluster has, counting the default queue and the configured ones. A queue exists as soon as
    /// a task names it, and each has a scheduler with upkeep of its own, so a submit that would create a queue past this
    /// is refused. Existing queues always take tasks; a queue counts until its tasks are purged and its scheduler idle.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxQueues { get; set; } = 1_000;

    /// <summary>Per-queue settings by queue name.</summary>
    public Dictionary<string, QueueSettings> Overrides { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How often a scheduler re-reads the worker directory, checks the workers of its running tasks and purges expired
    /// tasks, and how often each silo wakes the schedulers of the queues in the queue index.
    /// </summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a scheduler reloads its queue from the queue index even when no silo died: the backstop that puts
    /// back a task whose transition or message was lost. It reads every unfinished record of the queue once per
    /// interval (100,000 small rows a minute for 100,000 queued tasks), instead of waking every task.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RebuildInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many records a queue reads from the queue index per round trip when it rebuilds. A rebuild reads page after
    /// page, in the order the queue runs its tasks, until the queue holds its maximum of pending tasks or the index has
    /// no more: a queue of any length costs memory of a page at a time, and only what the queue can hold.
    /// </summary>
    [Range(1, 100_000)]
    public int RebuildPageSize { get; set; } = 1_000;

    /// <summary>How many expired tasks a queue purges per maintenance tick, at most.</summary>
    [Range(1, 100_000)]
    public int PurgeBatchSize { get; set; } = 1_000;

    public int MaxPendingFor(string queue) =>
        Overrides.TryGetValue(queue, out var settings) && settings.MaxPending is { } max ? max : DefaultMaxPending;

    public bool IsExclusive(string queue) => Overrides.TryGetValue(queue, out var settings) && settings.Exclusive;
}
