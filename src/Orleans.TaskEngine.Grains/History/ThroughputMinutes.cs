namespace Orleans.TaskEngine.History;

/// <summary>
/// The dashboard's throughput, counted by the store a minute at a time and kept: a minute that ended more than
/// <see cref="Settle"/> ago no longer changes (its finishes are written), so it is counted once, and each poll after the
/// first counts only the minutes since. A plain class (no cluster, no clock of its own), held by the history grain.
/// </summary>
public sealed class ThroughputMinutes
{
    /// <summary>How long after a minute ends its finishes may still be arriving in the store.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private static readonly long MaxKept = (long)TaskStatsWindow.Known.Values.Max().TotalMinutes;

    private readonly Dictionary<long, FinishedInMinute> _settled = [];

    /// <summary>The window's minutes: the one <paramref name="now"/> falls in and the <paramref name="length"/> − 1 before it.</summary>
    public static (long First, long Last) MinutesOf(DateTimeOffset now, TimeSpan length)
    {
        var last = FinishedInMinute.MinuteOf(now);
        return (last - Math.Max(1, (long)Math.Ceiling(length.TotalMinutes)) + 1, last);
    }

    /// <summary>What the store must count for the window: from the first minute not kept, to <paramref name="now"/>.</summary>
    public DateTimeOffset CountFrom(DateTimeOffset now, TimeSpan length)
    {
        var (first, last) = MinutesOf(now, length);
        var missing = first;
        while (missing <= last && _settled.ContainsKey(missing))
        {
            missing++;
        }

        return FinishedInMinute.StartOf(missing);
    }

    /// <summary>
    /// The report, from what is kept and what the store just counted from <paramref name="countedFrom"/> to
    /// <paramref name="now"/>; the counted minutes that have settled are kept (those with no finish as zeros).
    /// </summary>
    public TaskThroughput Report(string window, DateTimeOffset now, TimeSpan length, DateTimeOffset countedFrom, IReadOnlyList<FinishedInMinute> counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        var (first, last) = MinutesOf(now, length);
        var fresh = counted.ToDictionary(c => c.Minute);
        var settledBefore = FinishedInMinute.MinuteOf(now - Settle);
        for (var minute = FinishedInMinute.MinuteOf(countedFrom); minute < settledBefore; minute++)
        {
            _settled[minute] = fresh.GetValueOrDefault(minute) ?? new FinishedInMinute(minute, 0, 0, 0);
        }

        if (_settled.Count > MaxKept)
        {
            // Past the longest window: only then is there anything to drop, so a poll does not scan what is kept.
            foreach (var old in _settled.Keys.Where(m => m <= last - MaxKept).ToList())
            {
                _settled.Remove(old);
            }
        }

        var minutes = new List<FinishedInMinute>();
        for (var minute = first; minute <= last; minute++)
        {
            minutes.Add(fresh.GetValueOrDefault(minute) ?? _settled.GetValueOrDefault(minute) ?? new FinishedInMinute(minute, 0, 0, 0));
        }

        return new TaskThroughput
        {
            Window = window,
            From = FinishedInMinute.StartOf(first),
            To = now,
            Completed = minutes.Sum(m => m.Completed),
            Failed = minutes.Sum(m => m.Failed),
            Cancelled = minutes.Sum(m => m.Cancelled),
            PerMinute = [.. minutes.Select(m => m.Total)],
        };
    }
}
