namespace Orleans.TaskEngine.Alerts;

/// <summary>Tasks of one queue that finished in a window, completed and failed (cancelled ones count neither way).</summary>
public readonly record struct FinishedCounts(int Completed, int Failed)
{
    public int Total => Completed + Failed;
}
