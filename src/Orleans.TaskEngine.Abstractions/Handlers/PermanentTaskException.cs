namespace Orleans.TaskEngine.Handlers;

/// <summary>Thrown by a handler when retrying cannot help (e.g. a bad payload): the task fails without retry.</summary>
public sealed class PermanentTaskException : Exception
{
    public PermanentTaskException()
    {
    }

    public PermanentTaskException(string message)
        : base(message)
    {
    }

    public PermanentTaskException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
