namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// When, where and for whom a command is carried out: the clock reading, this silo's address, and the actor (the caller's
/// identity for a submit, cancel or retry; <see cref="System"/> for the engine's own transitions), for the events it records.
/// </summary>
public readonly record struct TaskMoment(DateTimeOffset Now, string Silo, string Actor = TaskMoment.System)
{
    /// <summary>The actor of the engine's own transitions (starts, reports, timeouts, retries after backoff).</summary>
    public const string System = "system";
}
