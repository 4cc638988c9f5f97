using Orleans.Runtime;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>The queue's upkeep: the maintenance tick, the rebuild from the queue index and the purge of expired tasks.</summary>
public sealed partial class SchedulerGrain
{
    /// <summary>
    /// Re-registers the queue (the directory is soft state too), refreshes the workers, rebuilds the queue if a silo
    /// died, the last rebuild failed or the rebuild interval passed, and purges expired tasks.
    /// </summary>
    private async Task MaintainAsync()
    {
        await GrainFactory.GetGrain<IQueueDirectoryGrain>(0).Register(Queue);
        var readAt = _time.GetUtcNow();
        UpdateWorkers(await GrainFactory.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers(), readAt);
        if (NewlyDeadSilos() || !_rebuilt || _time.GetUtcNow() - _lastRebuild >= _options.RebuildInterval)
        {
            await RebuildAsync();
        }

        await PurgeExpiredAsync();
        _gauges.Publish(Status());

        // The timer does not keep an idle queue active; one that holds tasks stays, even should nothing call it.
        if (_ready.Count > 0 || _running.Count > 0)
        {
            DelayDeactivation(_options.MaintenanceInterval * 3);
        }
    }

    /// <summary>
    /// Adds the unfinished tasks of the queue index that this queue neither holds nor has given out, read a page at a
    /// time in the order they run, until the queue holds its maximum: what is left waits for a later rebuild, once the
    /// queue has room. Dispatch starts with the first page.
    /// </summary>
    private async Task RebuildAsync()
    {
        _lastRebuild = _time.GetUtcNow();
        var max = _options.MaxPendingFor(Queue);
        var read = 0;
        var added = 0;
        QueueEntry? after = null;
        try
        {
            while (_ready.Count < max)
            {
                var page = await _index.LoadUnfinishedAsync(Queue, after, _options.RebuildPageSize);
                read += page.Count;
                foreach (var entry in page)
                {
                    if (_ready.Count >= max)
                    {
                        break;
                    }

                    if (!_running.ContainsKey(entry.TaskId) && _ready.Add(entry, unconfirmed: true))
                    {
                        added++;
                    }
                }

                Pump();
                if (page.Count < _options.RebuildPageSize)
                {
                    break;
                }

                after = page[^1];
            }
        }
        catch (TaskEngineUnavailableException ex)
        {
            // The queue works meanwhile with what it is given; the next maintenance tick tries again.
            _rebuilt = false;
            LogRebuildFailed(ex, Queue);
            return;
        }

        _rebuilt = true;
        if (added > 0)
        {
            // Quiet when there was nothing to put back: the periodic rebuild usually finds the queue whole.
            LogRebuilt(Queue, added, read);
        }
    }

    /// <summary>Whether membership declared a silo dead since the last look.</summary>
    private bool NewlyDeadSilos()
    {
        var found = false;
        foreach (var member in _membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Dead && _deadSilosSeen.Add(member.SiloAddress))
            {
                found = true;
            }
        }

        return found;
    }

    private async Task PurgeExpiredAsync()
    {
        IReadOnlyList<string> expired;
        try
        {
            expired = await _index.LoadExpiredAsync(Queue, _time.GetUtcNow(), _options.PurgeBatchSize);
        }
        catch (TaskEngineUnavailableException ex)
        {
            LogPurgeFailed(ex, Queue);
            return;
        }

        // One-way calls: each task purges itself; one still listed next time is simply asked again.
        foreach (var taskId in expired)
        {
            GrainFactory.GetGrainByKey<ITaskProtocolGrain>(taskId).Expire().Ignore();
        }
    }
}
