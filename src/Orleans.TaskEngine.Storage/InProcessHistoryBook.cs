using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// One service's audit log in memory: each incarnation's summary and events, ordered by (creation time, id) for search
/// and eviction. One lock guards it; a search walks the order from its cursor and stops at a page.
/// </summary>
internal sealed class InProcessHistoryBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly SortedSet<Key> _order = new(KeyOrder.Instance);
    private readonly Dictionary<string, SortedSet<long>> _incarnations = new(StringComparer.Ordinal);

    public void Record(TaskAuditRows rows, int maxTasks)
    {
        var key = new Key(rows.Summary.CreatedAt.UtcTicks, rows.Summary.Id);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(rows.Summary);
                _entries[key] = entry;
                _order.Add(key);
                if (!_incarnations.TryGetValue(key.Id, out var times))
                {
                    _incarnations[key.Id] = times = [];
                }

                times.Add(key.Ticks);
                while (_entries.Count > maxTasks)
                {
                    RemoveLocked(_order.Min);
                }
            }

            entry.Summary = rows.Summary;
            foreach (var e in rows.Events)
            {
                // The log's key is (task, incarnation, sequence): a repeated write adds nothing.
                if (e.Sequence > entry.LastSequence)
                {
                    entry.Events.Add(e);
                    entry.LastSequence = e.Sequence;
                }
            }
        }
    }

    public TaskSearchPage Search(TaskSearchQuery query)
    {
        var items = new List<TaskSummary>(Math.Min(query.Limit, 64));
        lock (_gate)
        {
            IEnumerable<Key> newestFirst = _order.Reverse();
            if (query.After is { } after)
            {
                var upper = new Key(after.CreatedAt.UtcTicks, after.Id);
                newestFirst = _order.Count == 0 || KeyOrder.Instance.Compare(_order.Min, upper) >= 0
                    ? []
                    : _order.GetViewBetween(_order.Min, upper).Reverse().Where(k => KeyOrder.Instance.Compare(k, upper) != 0);
            }

            foreach (var key in newestFirst)
            {
                if (query.To is { } to && key.Ticks >= to.UtcTicks)
                {
                    continue;
                }

                if (query.From is { } from && key.Ticks < from.UtcTicks)
                {
                    break;
                }

                var summary = _entries[key].Summary;
                if (Matches(summary, query))
                {
                    items.Add(summary);
                    if (items.Count > query.Limit)
                    {
                        break;
                    }
                }
            }
        }

        return TaskSearchPage.FromOneMore(items, query.Limit);
    }

    public TaskHistoryRecord? Load(string taskId, DateTimeOffset? createdAt)
    {
        lock (_gate)
        {
            if (!_incarnations.TryGetValue(taskId, out var times) || times.Count == 0)
            {
                return null;
            }

            var ticks = createdAt?.UtcTicks ?? times.Max;
            return _entries.TryGetValue(new Key(ticks, taskId), out var entry)
                ? new TaskHistoryRecord { Summary = entry.Summary, Events = [.. entry.Events] }
                : null;
        }
    }

    public IReadOnlyList<FinishedByQueue> CountFinished(DateTimeOffset from, DateTimeOffset to) =>
        [.. FinishedIn(from, to)
            .Where(s => s.Status is TaskState.Completed or TaskState.Failed)
            .GroupBy(s => s.Queue, StringComparer.Ordinal)
            .Select(g => new FinishedByQueue(g.Key, g.Count(s => s.Status == TaskState.Completed), g.Count(s => s.Status == TaskState.Failed)))];

    public IReadOnlyList<FinishedInMinute> CountFinishedByMinute(DateTimeOffset from, DateTimeOffset to) =>
        [.. FinishedIn(from, to)
            .GroupBy(s => FinishedInMinute.MinuteOf(s.FinishedAt!.Value))
            .OrderBy(g => g.Key)
            .Select(g => new FinishedInMinute(
                g.Key, g.Count(s => s.Status == TaskState.Completed), g.Count(s => s.Status == TaskState.Failed), g.Count(s => s.Status == TaskState.Cancelled)))];

    /// <summary>The summaries of the incarnations that finished in [<paramref name="from"/>, <paramref name="to"/>), copied under the lock.</summary>
    private List<TaskSummary> FinishedIn(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return [.. _entries.Values.Select(e => e.Summary).Where(s => s.FinishedAt is { } at && at >= from && at < to)];
        }
    }

    public TaskStatsInput StatsInput(DateTimeOffset from, DateTimeOffset to)
    {
        var finished = new List<TaskSummary>();
        var failures = new List<AuditEvent>();
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                var summary = entry.Summary;
                if (summary.FinishedAt is { } at && at >= from && at < to)
                {
                    finished.Add(summary);
                }

                foreach (var e in entry.Events)
                {
                    if (e.ErrorKind is not null && e.At >= from && e.At < to)
                    {
                        failures.Add(new AuditEvent { TaskId = summary.Id, CreatedAt = summary.CreatedAt, Type = summary.Type, Queue = summary.Queue, Event = e });
                    }
                }
            }
        }

        return new TaskStatsInput { Finished = finished, Failures = failures };
    }

    public int Purge(DateTimeOffset before, int limit)
    {
        var purged = 0;
        lock (_gate)
        {
            while (purged < limit && _order.Count > 0 && _order.Min.Ticks < before.UtcTicks)
            {
                RemoveLocked(_order.Min);
                purged++;
            }
        }

        return purged;
    }

    private static bool Matches(TaskSummary summary, TaskSearchQuery query) =>
        (query.Status is not { } status || summary.Status == status)
        && (query.Type is null || summary.Type == query.Type)
        && (query.Queue is null || summary.Queue == query.Queue)
        && (query.CreatedBy is null || summary.CreatedBy == query.CreatedBy)
        && (query.Tag is null || summary.Tags.Contains(query.Tag, StringComparer.Ordinal));

    private void RemoveLocked(Key key)
    {
        _entries.Remove(key);
        _order.Remove(key);
        if (_incarnations.TryGetValue(key.Id, out var times))
        {
            times.Remove(key.Ticks);
            if (times.Count == 0)
            {
                _incarnations.Remove(key.Id);
            }
        }
    }

    private readonly record struct Key(long Ticks, string Id);

    /// <summary>Oldest first by creation time, then by id: the order search walks backwards.</summary>
    private sealed class KeyOrder : IComparer<Key>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(Key x, Key y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : string.CompareOrdinal(x.Id, y.Id);
    }

    private sealed class Entry(TaskSummary summary)
    {
        public TaskSummary Summary { get; set; } = summary;

        public List<TaskEvent> Events { get; } = [];

        public long LastSequence { get; set; }
    }
}
