namespace Orleans.TaskEngine.Tasks;

/// <summary>Defaults and limits of the task fields a caller sets; the API and the task grain check the same ones.</summary>
public static class TaskDefaults
{
    public const string Queue = "default";
    public const int TimeoutSeconds = 300;
    public const int MaxAttempts = 3;

    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 24 * 60 * 60;
    public const int MinMaxAttempts = 1;
    public const int MaxMaxAttempts = 100;
    public const int MaxPayloadBytes = 1024 * 1024;
    public const int MaxQueueNameLength = 100;
    public const int MaxDependencies = 100;
    public const int MaxTags = 20;
    public const int MaxTagLength = 100;
    public const int MaxCallbackUrlLength = 2048;

    /// <summary>The longest reason a caller may give when cancelling; it is kept in the task's history.</summary>
    public const int MaxReasonLength = 500;
}
