using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>
/// Makes an execution report from what a store loaded for the window: counts by outcome, finishes per minute, wait and
/// run time percentiles, and the most frequent error messages, per task type or per queue. A plain class: the rules are
/// tested without a store.
/// </summary>
public static class TaskStatsCalculator
{
    public const int TopErrorCount = 5;

    /// <param name="input">The window's finished incarnations and failure events.</param>
    /// <param name="window">The window's name, as asked.</param>
    /// <param name="by"><c>type</c> or <c>queue</c>.</param>
    /// <param name="from">Start of the window.</param>
    /// <param name="to">End of the window.</param>
    public static TaskStats Compute(TaskStatsInput input, string window, string by, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(input);
        Func<string, string, string> key = by == "queue" ? (_, queue) => queue : (type, _) => type;
        var minutes = Math.Max(1, (int)Math.Ceiling((to - from).TotalMinutes));
        var finished = input.Finished.Where(s => s.FinishedAt is { } at && at >= from && at < to).GroupBy(s => key(s.Type, s.Queue), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var failures = input.Failures.Where(e => e.Event.ErrorKind is not null && e.Event.At >= from && e.Event.At < to)
            .GroupBy(e => key(e.Type, e.Queue), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var groups = finished.Keys.Union(failures.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(group =>
        {
            var done = finished.GetValueOrDefault(group) ?? [];
            var failed = failures.GetValueOrDefault(group) ?? [];
            var perMinute = new int[minutes];
            foreach (var s in done)
            {
                perMinute[Math.Clamp((int)((s.FinishedAt!.Value - from).TotalMinutes), 0, minutes - 1)]++;
            }

            return new TaskStatsGroup
            {
                Key = group,
                Counts = new TaskStatsCounts
                {
                    Completed = done.Count(s => s.Status == TaskState.Completed),
                    Failed = done.Count(s => s.Status == TaskState.Failed),
                    Cancelled = done.Count(s => s.Status == TaskState.Cancelled),
                    TimedOut = failed.Count(e => e.Event.ErrorKind == TaskErrorKinds.Timeout),

                    // A failed attempt that left the task scheduled for another.
                    Retried = failed.Count(e => e.Event.Status == TaskState.Scheduled),
                },
                PerMinute = perMinute,
                WaitMs = Percentiles(done.Where(s => s.StartedAt is not null).Select(s => (s.StartedAt!.Value - s.CreatedAt).TotalMilliseconds)),
                RunMs = Percentiles(done.Where(s => s.StartedAt is not null).Select(s => (s.FinishedAt!.Value - s.StartedAt!.Value).TotalMilliseconds)),
                TopErrors = [.. failed.Where(e => e.Event.Message is not null)
                    .GroupBy(e => e.Event.Message!, StringComparer.Ordinal)
                    .Select(g => new TaskStatsError { Message = g.Key, Count = g.Count() })
                    .OrderByDescending(e => e.Count).ThenBy(e => e.Message, StringComparer.Ordinal)
                    .Take(TopErrorCount)],
            };
        }).ToList();

        return new TaskStats { Window = window, By = by, From = from, To = to, Groups = groups };
    }

    private static TaskStatsPercentiles Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Where(v => v >= 0).Order().ToArray();
        return sorted.Length == 0
            ? new TaskStatsPercentiles()
            : new TaskStatsPercentiles { P50 = At(sorted, 50), P95 = At(sorted, 95), P99 = At(sorted, 99) };
    }

    // Nearest rank: the smallest value with at least p % of the values at or below it.
    private static double At(double[] sorted, int p) => Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)], 1);
}
