using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// What the SQL stores' report query returns (incarnations that finished in the window, or whose latest failure is in
/// or after it), turned into the report's input: the finishes in [from, to), and the failures recorded in it.
/// </summary>
internal static class ReportRows
{
    /// <param name="rows">Each incarnation, its event lines, and whether it ever failed an attempt.</param>
    public static TaskStatsInput ToStatsInput(IEnumerable<(TaskSummary Summary, string Events, bool Failed)> rows, DateTimeOffset from, DateTimeOffset to)
    {
        var finished = new List<TaskSummary>();
        var failures = new List<AuditEvent>();
        foreach (var (summary, events, failed) in rows)
        {
            if (summary.FinishedAt is { } at && at >= from && at < to)
            {
                finished.Add(summary);
            }

            if (!failed)
            {
                continue;
            }

            foreach (var e in AuditEventLines.Read(events))
            {
                if (e.ErrorKind is not null && e.At >= from && e.At < to)
                {
                    failures.Add(new AuditEvent { TaskId = summary.Id, CreatedAt = summary.CreatedAt, Type = summary.Type, Queue = summary.Queue, Event = e });
                }
            }
        }

        return new TaskStatsInput { Finished = finished, Failures = failures };
    }
}
