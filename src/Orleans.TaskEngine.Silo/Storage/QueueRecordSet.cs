using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Silo.Storage;

/// <summary>One queue's records in <see cref="InProcessQueueRecords"/>: its unfinished task ids, and its finished ones in expiry order.</summary>
internal sealed class QueueRecordSet
{
    public HashSet<string> Unfinished { get; } = new(StringComparer.Ordinal);

    /// <summary>(expiry in UTC ticks, task id), soonest first; ties by id, ordinally.</summary>
    public SortedSet<(long ExpiresAt, string TaskId)> Finished { get; } = new(ExpiryOrder.Instance);

    public bool IsEmpty => Unfinished.Count == 0 && Finished.Count == 0;

    public void Add(QueueIndexRecord record)
    {
        if (record.ExpiresAt is { } expiresAt)
        {
            Finished.Add((expiresAt.UtcTicks, record.TaskId));
        }
        else
        {
            Unfinished.Add(record.TaskId);
        }
    }

    public void Remove(QueueIndexRecord record)
    {
        if (record.ExpiresAt is { } expiresAt)
        {
            Finished.Remove((expiresAt.UtcTicks, record.TaskId));
        }
        else
        {
            Unfinished.Remove(record.TaskId);
        }
    }

    private sealed class ExpiryOrder : IComparer<(long ExpiresAt, string TaskId)>
    {
        public static readonly ExpiryOrder Instance = new();

        public int Compare((long ExpiresAt, string TaskId) x, (long ExpiresAt, string TaskId) y)
        {
            var byTime = x.ExpiresAt.CompareTo(y.ExpiresAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.TaskId, y.TaskId);
        }
    }
}
