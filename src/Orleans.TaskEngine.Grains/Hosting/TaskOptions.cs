using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>How tasks are run, retried and kept (section <c>TaskEngine:Tasks</c>).</summary>
public sealed class TaskOptions
{
    public const string Section = "TaskEngine:Tasks";

    /// <summary>First retry delay; each further retry doubles it, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest retry delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a finished task keeps its state and result before it is removed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Period of the durable reminder held by a task that waits for a time (run-at, retry backoff) or a dependency,
    /// the only tasks nothing else would wake. Coarse on purpose (reminders cost a database row each).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a running task checks that its worker still runs it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan LivenessCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many lost workers in a row, a task fails instead of going back to its queue (poison guard).</summary>
    [Range(1, 1000)]
    public int MaxWorkerLosses { get; set; } = 5;

    /// <summary>Progress events kept in a task's history (transitions are always kept).</summary>
    [Range(0, 10_000)]
    public int MaxProgressEvents { get; set; } = 100;
}
