using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// One queue's unfinished records in <see cref="InProcessQueueRecords"/>, kept in the order the queue runs them, so a
/// page of a rebuild costs its own length (a binary search, then the page), not a sort of the whole queue per page.
/// </summary>
/// <remarks>
/// One list per priority, ordered by sequence then task id. Sequences are the moments tasks became pending, so a new
/// record is nearly always appended. A removed record is only marked: taking it out of the middle of a long list would
/// move the rest of the list on every finish. Marked records are skipped by reads and dropped once they are the
/// majority of their list.
/// </remarks>
internal sealed class UnfinishedRecords
{
    private const int CompactAbove = 64;

    private readonly List<Slot>[] _byPriority = [.. Enum.GetValues<TaskPriority>().Select(_ => new List<Slot>())];
    private readonly int[] _removed = new int[Enum.GetValues<TaskPriority>().Length];
    private readonly Dictionary<string, Slot> _byTask = new(StringComparer.Ordinal);

    public int Count => _byTask.Count;

    public void Add(QueueIndexRecord record)
    {
        Remove(record.TaskId);
        var slot = new Slot(record);
        _byTask[record.TaskId] = slot;
        var list = _byPriority[(int)record.Priority];
        if (list.Count == 0 || Compare(list[^1].Record, record.Sequence, record.TaskId) < 0)
        {
            list.Add(slot);
        }
        else
        {
            list.Insert(FirstAfter(list, record.Sequence, record.TaskId), slot);
        }
    }

    public void Remove(string taskId)
    {
        if (!_byTask.Remove(taskId, out var slot))
        {
            return;
        }

        slot.Removed = true;
        var priority = (int)slot.Record.Priority;
        var list = _byPriority[priority];
        if (++_removed[priority] > CompactAbove && _removed[priority] > list.Count / 2)
        {
            list.RemoveAll(static s => s.Removed);
            _removed[priority] = 0;
        }
    }

    /// <summary>Up to <paramref name="limit"/> records that come after <paramref name="after"/> (or from the start) in run order.</summary>
    public List<QueueEntry> Page(QueueEntry? after, int limit)
    {
        var page = new List<QueueEntry>(Math.Min(limit, Count));
        for (var priority = (int)(after?.Priority ?? TaskPriority.Urgent); priority >= 0 && page.Count < limit; priority--)
        {
            var list = _byPriority[priority];
            var start = after is not null && priority == (int)after.Priority ? FirstAfter(list, after.Sequence, after.TaskId) : 0;
            for (var i = start; i < list.Count && page.Count < limit; i++)
            {
                if (!list[i].Removed)
                {
                    var r = list[i].Record;
                    page.Add(new QueueEntry { TaskId = r.TaskId, Priority = r.Priority, Sequence = r.Sequence, Type = r.Type });
                }
            }
        }

        return page;
    }

    /// <summary>The index of the first slot ordered after (sequence, task id); removed slots keep their place in the order.</summary>
    private static int FirstAfter(List<Slot> list, long sequence, string taskId)
    {
        int low = 0, high = list.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (Compare(list[middle].Record, sequence, taskId) <= 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static int Compare(QueueIndexRecord record, long sequence, string taskId) =>
        record.Sequence != sequence ? record.Sequence.CompareTo(sequence) : string.CompareOrdinal(record.TaskId, taskId);

    /// <summary>A record in its list; marked when it is removed.</summary>
    private sealed class Slot(QueueIndexRecord record)
    {
        public QueueIndexRecord Record { get; } = record;

        public bool Removed { get; set; }
    }
}
