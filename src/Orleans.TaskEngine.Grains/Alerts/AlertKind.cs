namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// What a rule watches. <c>Queue</c> (optional for all but <see cref="SiloDead"/>) narrows it to one queue; without it
/// the rule watches every queue and fires while any one trips it (its message names them).
/// </summary>
public enum AlertKind
{
    /// <summary>
    /// failed / (completed + failed) of the tasks that finished in the last <c>Window</c> (default 5 min) is above
    /// <c>Threshold</c> (a ratio, 0 to 1, required); windows with fewer than <c>MinCount</c> (default 1) finished tasks
    /// do not count. Cancelled tasks count neither way.
    /// </summary>
    FailureRatio,

    /// <summary>More than <c>Threshold</c> (a whole number, required) tasks pending.</summary>
    QueueDepth,

    /// <summary>The oldest pending task has waited longer than <c>Window</c> (required) since it became ready.</summary>
    OldestPending,

    /// <summary>
    /// No live worker or agent serves the queue: a named queue whether or not it has tasks, otherwise any queue with
    /// pending tasks. <c>Window</c> (default 0) is how long that must last before the alert fires (e.g. a silo's start).
    /// </summary>
    NoWorker,

    /// <summary>
    /// A silo was declared dead in the cluster's membership. Fires at the first evaluation that sees a new death and
    /// resolves <c>Window</c> (default 5 min) after the last one, or sooner when a silo is back at each dead one's
    /// address. Deaths that happened before the alerts first ran are not alerted.
    /// </summary>
    SiloDead,
}
