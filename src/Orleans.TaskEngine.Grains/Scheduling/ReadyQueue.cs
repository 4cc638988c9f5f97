using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The ready tasks of one queue: highest priority first, FIFO (by sequence) within a priority.
/// Add and take are O(log n), membership O(1) and the oldest entry's age amortized O(log n), so cost does not grow with
/// the queue's length in practice.
/// </summary>
/// <remarks>
/// An entry can be unconfirmed: a rebuild put it back from the queue index, which also lists tasks that are in fact
/// running or finished (their record is written after the fact). Such an entry costs a refused start when it is
/// dispatched; until then it is not counted against the queue's maximum (see <see cref="Confirmed"/>), so it cannot
/// make a real submit look like one too many. It is confirmed when its task enqueues itself.
/// </remarks>
public sealed class ReadyQueue
{
    private readonly PriorityQueue<QueueEntry, (int NegativePriority, long Sequence)> _heap = new();
    private readonly Dictionary<string, QueueEntry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unconfirmed = new(StringComparer.Ordinal);
    private readonly int[] _countByPriority = new int[Enum.GetValues<TaskPriority>().Length];

    // The same entries by age alone, for the oldest pending (read on every status and metrics scrape): removed entries
    // are skipped lazily at the top, and the heap is rebuilt once it holds more than twice the live entries (an old
    // low-priority task at the top would otherwise keep every entry taken after it).
    private PriorityQueue<QueueEntry, long> _byAge = new();

    public int Count => _entries.Count;

    /// <summary>The entries that tasks put here themselves (submits, re-drives): what the queue's maximum bounds.</summary>
    public int Confirmed => _entries.Count - _unconfirmed.Count;

    public bool Contains(string taskId) => _entries.ContainsKey(taskId);

    public int CountOf(TaskPriority priority) => _countByPriority[(int)priority];

    /// <summary>The age heap's size, removed entries included (for the tests of its bound).</summary>
    internal int AgeHeapCount => _byAge.Count;

    /// <summary>
    /// When the task waiting longest became ready (UTC ticks), or null when none waits. Amortized O(log n): reading it
    /// drops the removed entries at the top of the age heap.
    /// </summary>
    public long? OldestSequence
    {
        get
        {
            while (_byAge.TryPeek(out var candidate, out var sequence))
            {
                if (IsCurrent(candidate))
                {
                    return sequence;
                }

                _byAge.Dequeue();
            }

            return null;
        }
    }

    /// <param name="entry">The task.</param>
    /// <param name="unconfirmed">Put back by a rebuild rather than by the task itself.</param>
    public bool Add(QueueEntry entry, bool unconfirmed = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_entries.TryAdd(entry.TaskId, entry))
        {
            return false;
        }

        _heap.Enqueue(entry, (-(int)entry.Priority, entry.Sequence));
        _byAge.Enqueue(entry, entry.Sequence);
        if (_byAge.Count > (2 * _entries.Count) + 64)
        {
            _byAge = new PriorityQueue<QueueEntry, long>(_entries.Values.Select(e => (e, e.Sequence)));
        }

        _countByPriority[(int)entry.Priority]++;
        if (unconfirmed)
        {
            _unconfirmed.Add(entry.TaskId);
        }

        return true;
    }

    /// <summary>The task itself says it is pending: its entry counts against the queue's maximum from now on.</summary>
    public void Confirm(string taskId)
    {
        if (_unconfirmed.Count > 0)
        {
            _unconfirmed.Remove(taskId);
        }
    }

    /// <summary>Removes a task; its heap slot is skipped lazily when it reaches the top.</summary>
    public bool Remove(string taskId) => Remove(taskId, out _);

    /// <summary>The first task in line, without taking it.</summary>
    public bool TryPeek(out QueueEntry entry)
    {
        while (_heap.TryPeek(out var candidate, out _))
        {
            if (IsCurrent(candidate))
            {
                entry = candidate;
                return true;
            }

            _heap.Dequeue();
        }

        entry = null!;
        return false;
    }

    /// <summary>Takes the first task in line, and says whether its entry was unconfirmed.</summary>
    public bool TryTake(out QueueEntry entry, out bool unconfirmed)
    {
        while (_heap.TryDequeue(out var candidate, out _))
        {
            // A removed task, or an older copy of a task added again, is not current: skip it.
            if (IsCurrent(candidate))
            {
                Remove(candidate.TaskId, out unconfirmed);
                entry = candidate;
                return true;
            }
        }

        entry = null!;
        unconfirmed = false;
        return false;
    }

    private bool IsCurrent(QueueEntry candidate) => _entries.TryGetValue(candidate.TaskId, out var current) && ReferenceEquals(current, candidate);

    private bool Remove(string taskId, out bool unconfirmed)
    {
        unconfirmed = false;
        if (!_entries.Remove(taskId, out var entry))
        {
            return false;
        }

        _countByPriority[(int)entry.Priority]--;
        unconfirmed = _unconfirmed.Count > 0 && _unconfirmed.Remove(taskId);
        return true;
    }
}
