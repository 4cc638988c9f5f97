using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The ready tasks of one queue: highest priority first, FIFO (by sequence) within a priority.
/// Add and take are O(log n) and membership O(1), so cost does not grow with the queue's length in practice.
/// </summary>
public sealed class ReadyQueue
{
    private readonly PriorityQueue<QueueEntry, (int NegativePriority, long Sequence)> _heap = new();
    private readonly Dictionary<string, QueueEntry> _entries = new(StringComparer.Ordinal);
    private readonly int[] _countByPriority = new int[Enum.GetValues<TaskPriority>().Length];

    public int Count => _entries.Count;

    public bool Contains(string taskId) => _entries.ContainsKey(taskId);

    public int CountOf(TaskPriority priority) => _countByPriority[(int)priority];

    public bool Add(QueueEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_entries.TryAdd(entry.TaskId, entry))
        {
            return false;
        }

        _heap.Enqueue(entry, (-(int)entry.Priority, entry.Sequence));
        _countByPriority[(int)entry.Priority]++;
        return true;
    }

    /// <summary>Removes a task; its heap slot is skipped lazily when it reaches the top.</summary>
    public bool Remove(string taskId)
    {
        if (!_entries.Remove(taskId, out var entry))
        {
            return false;
        }

        _countByPriority[(int)entry.Priority]--;
        return true;
    }

    public bool TryTake(out QueueEntry entry)
    {
        while (_heap.TryDequeue(out var candidate, out _))
        {
            // A removed task, or an older copy of a task added again, is not current: skip it.
            if (_entries.TryGetValue(candidate.TaskId, out var current) && ReferenceEquals(current, candidate))
            {
                Remove(candidate.TaskId);
                entry = candidate;
                return true;
            }
        }

        entry = null!;
        return false;
    }
}
