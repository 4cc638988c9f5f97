namespace Orleans.TaskEngine.Tasks;

/// <summary>The values of <see cref="TaskError.Kind"/>.</summary>
public static class TaskErrorKinds
{
    /// <summary>The handler threw; the attempt may be retried.</summary>
    public const string Error = "error";

    /// <summary>The attempt ran past the task's timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The handler said retrying cannot help (e.g. a bad payload).</summary>
    public const string Permanent = "permanent";

    /// <summary>The worker running the attempt went away (its silo died or stopped).</summary>
    public const string WorkerLost = "worker_lost";

    /// <summary>
    /// The worker stopped gracefully and gave the attempt back unfinished (a rolling restart): not the task's fault and
    /// not a lost worker, so it counts against neither <c>maxAttempts</c> nor the worker-loss poison guard.
    /// </summary>
    public const string HandedBack = "handed_back";

    /// <summary>A task this one depends on did not complete.</summary>
    public const string Dependency = "dependency";

    /// <summary>The task was cancelled while it ran.</summary>
    public const string Cancelled = "cancelled";
}
