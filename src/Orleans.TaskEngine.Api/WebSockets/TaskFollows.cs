namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>
/// The tasks one connection follows, each with the last sequence it has handled. One loop per task at a time, and a
/// loop that starts again resumes after that sequence: each event goes out once and in order, whether the task was
/// named by a task subscription, announced by a queue, or both.
/// </summary>
public sealed class TaskFollows
{
    private readonly Dictionary<string, Follow> _follows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Tasks followed by id (a task subscription), for the per-connection limit.</summary>
    public int Subscribed
    {
        get
        {
            lock (_lock)
            {
                return _follows.Values.Count(f => f.Subscribed);
            }
        }
    }

    /// <summary>How many of <paramref name="taskIds"/> are not subscribed by id yet.</summary>
    public int NewSubscriptions(IEnumerable<string> taskIds)
    {
        lock (_lock)
        {
            return taskIds.Count(id => !_follows.TryGetValue(id, out var f) || !f.Subscribed);
        }
    }

    /// <summary>
    /// Starts following <paramref name="taskId"/>. Null when a loop already runs for it; otherwise the sequence after
    /// which to read (0 for a task never followed) and whether it was followed before.
    /// </summary>
    public (long After, bool Known)? TryStart(string taskId, bool subscribed)
    {
        lock (_lock)
        {
            if (_follows.TryGetValue(taskId, out var follow))
            {
                follow.Subscribed |= subscribed;
                if (follow.Active)
                {
                    return null;
                }

                follow.Active = true;
                return (follow.Handled, true);
            }

            _follows[taskId] = new Follow { Active = true, Subscribed = subscribed };
            return (0, false);
        }
    }

    /// <summary>Events up to <paramref name="sequence"/> are handled (sent, or skipped on purpose).</summary>
    public void Handled(string taskId, long sequence)
    {
        lock (_lock)
        {
            if (_follows.TryGetValue(taskId, out var follow) && sequence > follow.Handled)
            {
                follow.Handled = sequence;
            }
        }
    }

    /// <summary>The loop for <paramref name="taskId"/> ended (the task finished); a later start resumes it.</summary>
    public void Stopped(string taskId)
    {
        lock (_lock)
        {
            if (_follows.TryGetValue(taskId, out var follow))
            {
                follow.Active = false;
            }
        }
    }

    /// <summary>Forgets <paramref name="taskId"/> (there is no such task): a later subscription tries again.</summary>
    public void Forget(string taskId)
    {
        lock (_lock)
        {
            _follows.Remove(taskId);
        }
    }

    private sealed class Follow
    {
        public long Handled { get; set; }

        public bool Active { get; set; }

        public bool Subscribed { get; set; }
    }
}
