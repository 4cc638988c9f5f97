using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>Queue subscriptions: watching a queue's scheduler, renewing the lease, following the tasks it announces.</summary>
public sealed partial class WebSocketConnection
{
    /// <summary>Called by a queue's scheduler: a task was taken in.</summary>
    public Task TaskEnqueued(string queue, string taskId, bool isNewSubmit)
    {
        DateTimeOffset since;
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out since) || _stop.IsCancellationRequested)
            {
                return Task.CompletedTask;
            }
        }

        LogAnnounced(_logger, queue, taskId);

        // A new task's history is all after the subscription; one put back again may have events from before it.
        _announced.Writer.TryWrite((taskId, isNewSubmit ? null : since));
        return Task.CompletedTask;
    }

    private async Task FollowAnnouncedAsync()
    {
        await foreach (var (taskId, since) in _announced.Reader.ReadAllAsync(CancellationToken.None))
        {
            Follow(taskId, subscribed: false, since);
        }
    }

    /// <summary>Watches <paramref name="queue"/>; its tasks now are followed from the moment of the subscription on.</summary>
    private async Task<bool> WatchAsync(string queue, CancellationToken cancellationToken)
    {
        DateTimeOffset since;
        lock (_lock)
        {
            if (_queues.ContainsKey(queue))
            {
                return true;
            }

            since = _time.GetUtcNow();
            _queues[queue] = since;
            _watcherReference ??= _grains.CreateObjectReference<IQueueWatcher>(this);
        }

        try
        {
            var current = await _grains.GetGrainByKey<IQueueWatchGrain>(queue).Watch(_watcherReference, Lease).WaitAsync(cancellationToken);
            FollowAll(current, since);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (_lock)
            {
                _queues.Remove(queue);
            }

            LogWatchFailed(_logger, ex, queue);
            _outbox.TryPost(WebSocketFrames.Error($"Queue '{queue}' cannot be watched now: {ex.Message}", queue: queue));
            return false;
        }
    }

    private TimeSpan Lease => _options.WatchRenewal * 3;

    /// <summary>Renews the queue watches: an observer is not durable, and a scheduler that moved or restarted forgot it.</summary>
    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.WatchRenewal, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                KeyValuePair<string, DateTimeOffset>[] queues;
                lock (_lock)
                {
                    queues = [.. _queues];
                }

                foreach (var (queue, since) in queues)
                {
                    try
                    {
                        // Tasks taken in while the scheduler did not know this watcher are in what it has now.
                        FollowAll(await _grains.GetGrainByKey<IQueueWatchGrain>(queue).Watch(_watcherReference!, Lease).WaitAsync(cancellationToken), since);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogWatchFailed(_logger, ex, queue);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ends.
        }
    }

    private void FollowAll(IEnumerable<string> taskIds, DateTimeOffset since)
    {
        foreach (var taskId in taskIds)
        {
            Follow(taskId, subscribed: false, since);
        }
    }

    private async Task UnwatchAllAsync()
    {
        if (_watcherReference is null)
        {
            return;
        }

        string[] queues;
        lock (_lock)
        {
            queues = [.. _queues.Keys];
            _queues.Clear();
        }

        foreach (var queue in queues)
        {
            try
            {
                await _grains.GetGrainByKey<IQueueWatchGrain>(queue).Unwatch(_watcherReference).WaitAsync(CloseGrace);
            }
            catch (Exception ex)
            {
                // Its lease ends it anyway.
                LogWatchFailed(_logger, ex, queue);
            }
        }

        _grains.DeleteObjectReference<IQueueWatcher>(_watcherReference);
    }
}
