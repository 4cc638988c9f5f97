using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Storage;

/// <summary>One queue's records in <see cref="InProcessQueueRecords"/>: its unfinished task ids, and its finished ones by expiry.</summary>
/// <remarks>
/// Finished tasks are kept in one bucket per second of expiry, and only the buckets (a few thousand for an hour's
/// retention) are kept in order. A sorted set of every finished task cost a tree walk per finish, about 2 % of a
/// no-op task's CPU with a quarter of a million tasks kept (measured), and a tree node per task for the garbage
/// collector to trace.
/// </remarks>
internal sealed class QueueRecordSet
{
    private const long BucketTicks = TimeSpan.TicksPerSecond;

    /// <summary>Bucket (expiry in whole seconds) → task id → expiry in UTC ticks.</summary>
    private readonly SortedDictionary<long, Dictionary<string, long>> _finished = new();
    private int _finishedCount;

    public UnfinishedRecords Unfinished { get; } = new();

    public bool IsEmpty => Unfinished.Count == 0 && _finishedCount == 0;

    public void Add(QueueIndexRecord record)
    {
        if (record.ExpiresAt is not { } expiresAt)
        {
            Unfinished.Add(record);
            return;
        }

        var ticks = expiresAt.UtcTicks;
        if (!_finished.TryGetValue(ticks / BucketTicks, out var bucket))
        {
            _finished[ticks / BucketTicks] = bucket = new(StringComparer.Ordinal);
        }

        bucket[record.TaskId] = ticks;
        _finishedCount++;
    }

    public void Remove(QueueIndexRecord record)
    {
        if (record.ExpiresAt is not { } expiresAt)
        {
            Unfinished.Remove(record.TaskId);
            return;
        }

        var key = expiresAt.UtcTicks / BucketTicks;
        if (_finished.TryGetValue(key, out var bucket) && bucket.Remove(record.TaskId))
        {
            _finishedCount--;
            if (bucket.Count == 0)
            {
                _finished.Remove(key);
            }
        }
    }

    /// <summary>Whether a finished task expires at or before <paramref name="nowTicks"/>: the earliest buckets say.</summary>
    public bool HasExpired(long nowTicks)
    {
        foreach (var (key, bucket) in _finished)
        {
            if (key * BucketTicks > nowTicks)
            {
                return false;
            }

            foreach (var expiresAt in bucket.Values)
            {
                if (expiresAt <= nowTicks)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Up to <paramref name="limit"/> finished tasks that expire at or before <paramref name="nowTicks"/>, soonest first; ties by id.</summary>
    public List<string> Expired(long nowTicks, int limit)
    {
        var due = new List<(long ExpiresAt, string TaskId)>();
        foreach (var (key, bucket) in _finished)
        {
            // Buckets do not overlap: once this many are found, every later bucket expires after all of them.
            if (key * BucketTicks > nowTicks || due.Count >= limit)
            {
                break;
            }

            foreach (var (taskId, expiresAt) in bucket)
            {
                if (expiresAt <= nowTicks)
                {
                    due.Add((expiresAt, taskId));
                }
            }
        }

        due.Sort(static (x, y) => x.ExpiresAt != y.ExpiresAt ? x.ExpiresAt.CompareTo(y.ExpiresAt) : string.CompareOrdinal(x.TaskId, y.TaskId));
        return [.. due.Take(limit).Select(d => d.TaskId)];
    }
}
