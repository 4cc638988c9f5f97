using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// One service's queue records, indexed the ways the queue index is read: by task, each queue's unfinished tasks, and
/// each queue's finished tasks by expiry. Every read costs what it returns, not the records kept, so the upkeep that
/// runs every few seconds stays flat while a silo keeps hours of finished tasks. One short lock guards it all.
/// </summary>
internal sealed class InProcessQueueRecords
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, QueueIndexRecord> _byTask = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueueRecordSet> _byQueue = new(StringComparer.Ordinal);

    public void Save(QueueIndexRecord record)
    {
        lock (_gate)
        {
            RemoveLocked(record.TaskId);
            _byTask[record.TaskId] = record;
            if (!_byQueue.TryGetValue(record.Queue, out var set))
            {
                set = new QueueRecordSet();
                _byQueue[record.Queue] = set;
            }

            set.Add(record);
        }
    }

    public void Remove(string taskId)
    {
        lock (_gate)
        {
            RemoveLocked(taskId);
        }
    }

    public IReadOnlyList<QueueEntry> Unfinished(string queue, QueueEntry? after, int limit)
    {
        lock (_gate)
        {
            return _byQueue.TryGetValue(queue, out var set) ? set.Unfinished.Page(after, limit) : [];
        }
    }

    public IReadOnlyList<string> Expired(string queue, DateTimeOffset now, int limit)
    {
        lock (_gate)
        {
            return _byQueue.TryGetValue(queue, out var set) ? set.Expired(now.UtcTicks, limit) : [];
        }
    }

    public IReadOnlyList<string> Queues()
    {
        lock (_gate)
        {
            return [.. _byQueue.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<string> QueuesToServe(DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. _byQueue.Where(q => q.Value.Unfinished.Count > 0 || q.Value.HasExpired(now.UtcTicks)).Select(q => q.Key).Order(StringComparer.Ordinal)];
        }
    }

    private void RemoveLocked(string taskId)
    {
        if (!_byTask.Remove(taskId, out var old))
        {
            return;
        }

        var set = _byQueue[old.Queue];
        set.Remove(old);
        if (set.IsEmpty)
        {
            _byQueue.Remove(old.Queue);
        }
    }
}
