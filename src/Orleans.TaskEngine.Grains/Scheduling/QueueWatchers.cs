namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The watchers of one queue, each with the time its lease ends. Observers are not durable (a client that goes away
/// says nothing), so a watcher that stops renewing is dropped when its lease is over.
/// </summary>
public sealed class QueueWatchers
{
    private readonly Dictionary<IQueueWatcher, DateTimeOffset> _leases = [];

    public int Count => _leases.Count;

    public void Renew(IQueueWatcher watcher, DateTimeOffset until) => _leases[watcher] = until;

    public bool Remove(IQueueWatcher watcher) => _leases.Remove(watcher);

    /// <summary>The watchers whose lease still runs at <paramref name="now"/>; the others are dropped.</summary>
    public IReadOnlyList<IQueueWatcher> Live(DateTimeOffset now)
    {
        List<IQueueWatcher>? expired = null;
        var live = new List<IQueueWatcher>(_leases.Count);
        foreach (var (watcher, until) in _leases)
        {
            if (until > now)
            {
                live.Add(watcher);
            }
            else
            {
                (expired ??= []).Add(watcher);
            }
        }

        expired?.ForEach(w => _leases.Remove(w));
        return live;
    }
}
