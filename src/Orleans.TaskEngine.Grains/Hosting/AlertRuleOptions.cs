namespace Orleans.TaskEngine.Hosting;

/// <summary>
/// One alert rule, <c>TaskEngine:Alerts:Rules:{name}</c>. Which fields a kind takes, and what they mean, is in
/// <see cref="Alerts.AlertKind"/>; a field a kind does not use is refused at start, so a mistake is not silent.
/// </summary>
public sealed class AlertRuleOptions
{
    /// <summary><c>FailureRatio</c>, <c>QueueDepth</c>, <c>OldestPending</c>, <c>NoWorker</c> or <c>SiloDead</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>The queue the rule watches; none: every queue.</summary>
    public string? Queue { get; set; }

    public double? Threshold { get; set; }

    public TimeSpan? Window { get; set; }

    /// <summary><c>FailureRatio</c>: the fewest finished tasks in the window for the ratio to count.</summary>
    public int? MinCount { get; set; }
}
