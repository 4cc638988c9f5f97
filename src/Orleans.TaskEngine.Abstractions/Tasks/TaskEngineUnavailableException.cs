namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The engine could not do what was asked because a dependency (its database) failed; nothing was half-written.
/// Storage errors are turned into this inside the grain, so callers get a clear engine error they can retry.
/// </summary>
[GenerateSerializer]
public sealed class TaskEngineUnavailableException : Exception
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
