namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The engine could not do what was asked because a dependency (its database) failed; nothing was half-written.
/// Storage errors are turned into this inside the grain, so callers get a clear engine error they can retry.
/// It is an <see cref="Orleans.Runtime.OrleansException"/> because Orleans passes those through unwrapped when a grain's
/// state cannot be read at activation; any other exception would reach the caller wrapped in a generic one.
/// </summary>
[GenerateSerializer]
public sealed class TaskEngineUnavailableException : Orleans.Runtime.OrleansException
{
    public TaskEngineUnavailableException()
    {
    }

    public TaskEngineUnavailableException(string message)
        : base(message)
    {
    }

    public TaskEngineUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
