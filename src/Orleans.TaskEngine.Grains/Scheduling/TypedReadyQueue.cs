using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// A queue's ready tasks split by task type, one <see cref="ReadyQueue"/> each, so that a task is taken only for a worker
/// or agent that declares its type, while priority order and FIFO hold across types: the next task is the first in line
/// among the types someone free can run. A type nobody serves just waits; it never holds up the others.
/// </summary>
public sealed class TypedReadyQueue
{
    // Entries without a type (rebuilt from records written before types were recorded) are under "", run by anyone.
    private const string Untyped = "";
    private readonly Dictionary<string, ReadyQueue> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _typeOf = new(StringComparer.Ordinal);
    private int _unconfirmed;

    public int Count => _typeOf.Count;

    /// <summary>The entries tasks put here themselves: what the queue's maximum bounds (see <see cref="ReadyQueue"/>).</summary>
    public int Confirmed => Count - _unconfirmed;

    public bool Contains(string taskId) => _typeOf.ContainsKey(taskId);

    /// <summary>The ids of the ready tasks, in no order.</summary>
    public IEnumerable<string> TaskIds => _typeOf.Keys;

    public int CountOf(TaskPriority priority) => _byType.Values.Sum(q => q.CountOf(priority));

    /// <summary>When the task waiting longest became ready (UTC ticks), or null when none waits.</summary>
    public long? OldestSequence => _byType.Values.Select(q => q.OldestSequence).Min();

    /// <summary>The types that have tasks waiting, with how many each.</summary>
    public IEnumerable<(string? Type, int Count)> Types =>
        _byType.Where(t => t.Value.Count > 0).Select(t => (t.Key.Length == 0 ? null : (string?)t.Key, t.Value.Count));

    public bool Add(QueueEntry entry, bool unconfirmed = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_typeOf.ContainsKey(entry.TaskId))
        {
            return false;
        }

        var type = entry.Type ?? Untyped;
        if (!_byType.TryGetValue(type, out var queue))
        {
            _byType[type] = queue = new ReadyQueue();
        }

        queue.Add(entry, unconfirmed);
        _typeOf[entry.TaskId] = type;
        if (unconfirmed)
        {
            _unconfirmed++;
        }

        return true;
    }

    public void Confirm(string taskId)
    {
        if (_unconfirmed > 0 && _typeOf.TryGetValue(taskId, out var type))
        {
            var queue = _byType[type];
            var before = queue.Confirmed;
            queue.Confirm(taskId);
            _unconfirmed -= queue.Confirmed - before;
        }
    }

    public bool Remove(string taskId)
    {
        if (!_typeOf.Remove(taskId, out var type))
        {
            return false;
        }

        var queue = _byType[type];
        var before = queue.Confirmed;
        queue.Remove(taskId);
        // A removed entry lowers Count by one; if it was confirmed, Confirmed dropped too, else it was unconfirmed.
        if (queue.Confirmed == before)
        {
            _unconfirmed--;
        }

        return true;
    }

    /// <summary>
    /// Takes the first task in line among the types that <paramref name="runnable"/> says someone free can run now, and
    /// says whether its entry was unconfirmed. False when no such task waits.
    /// </summary>
    public bool TryTake(Func<string?, bool> runnable, out QueueEntry entry, out bool unconfirmed)
    {
        ReadyQueue? best = null;
        QueueEntry? head = null;
        foreach (var (type, queue) in _byType)
        {
            if (!queue.TryPeek(out var candidate) || !runnable(type.Length == 0 ? null : type))
            {
                continue;
            }

            if (head is null || candidate.Priority > head.Priority || (candidate.Priority == head.Priority && candidate.Sequence < head.Sequence))
            {
                best = queue;
                head = candidate;
            }
        }

        if (best is null || !best.TryTake(out entry, out unconfirmed))
        {
            entry = null!;
            unconfirmed = false;
            return false;
        }

        _typeOf.Remove(entry.TaskId);
        if (unconfirmed)
        {
            _unconfirmed--;
        }

        return true;
    }
}
