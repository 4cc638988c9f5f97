using Orleans.TaskEngine.Batches;

namespace Orleans.TaskEngine.Http;

/// <summary>A batch's members by status (scheduled ones count as pending).</summary>
public sealed record BatchCountsResource(int Pending, int Running, int Completed, int Failed, int Cancelled)
{
    public static BatchCountsResource From(BatchCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return new(counts.Pending, counts.Running, counts.Completed, counts.Failed, counts.Cancelled);
    }
}
