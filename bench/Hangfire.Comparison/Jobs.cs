namespace Hangfire.Comparison;

/// <summary>The job every run enqueues: returns at once, like the engine's echo handler.</summary>
public static class Jobs
{
    public static void Noop(int i)
    {
        _ = i;
    }
}
