using System.Text.Json;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Writes a task state's audit rows in the SQLite file, inside the transaction of the state write: the incarnation's
/// row (summary and event lines, as on PostgreSQL), and its tags' rows on its first write. A write whose first event
/// the row already holds (a repeat) reads how far the row goes and appends only the events past it: nothing is logged
/// twice.
/// </summary>
internal static class SqliteAuditLog
{
    private const string ThroughSql = "SELECT audited_through FROM taskengine_task_summaries WHERE service_id = $s AND task_id = $t AND created_at = $c";

    private const string InsertSql = """
        INSERT INTO taskengine_task_summaries (service_id, task_id, created_at, type, queue, priority, status, outcome, attempts,
            created_by, started_at, finished_at, tags, last_error_kind, last_error_message, last_error_at, events, audited_through)
        VALUES ($s, $t, $c, $type, $queue, $priority, $status, $outcome, $attempts, $by, $started, $finished, $tags,
            $error_kind, $error_message, $error_at, $events, $through)
        """;

    private const string UpdateSql = """
        UPDATE taskengine_task_summaries
        SET status = $status, outcome = $outcome, attempts = $attempts, started_at = $started, finished_at = $finished,
            last_error_kind = $error_kind, last_error_message = $error_message, last_error_at = $error_at,
            events = events || $events, audited_through = max(audited_through, $through)
        WHERE service_id = $s AND task_id = $t AND created_at = $c
        """;

    private const string AppendSql = """
        UPDATE taskengine_task_summaries
        SET status = $status, outcome = $outcome, attempts = $attempts, started_at = $started, finished_at = $finished,
            last_error_kind = $error_kind, last_error_message = $error_message, last_error_at = $error_at,
            events = events || $events, audited_through = max(audited_through, $through)
        WHERE service_id = $s AND task_id = $t AND created_at = $c AND audited_through < $first
        """;

    private const string TagSql = "INSERT OR IGNORE INTO taskengine_task_tags (service_id, tag, created_at, task_id) VALUES ($s, $tag, $c, $t)";

    public static void Append(SqliteWriter writer, string serviceId, TaskAuditRows rows)
    {
        var summary = rows.Summary;
        var created = summary.CreatedAt.UtcTicks;

        // The usual write: the row exists and holds none of these events, so they are appended whole (one statement).
        var first = rows.Events.Count > 0 ? rows.Events[0].Sequence : long.MaxValue;
        if (writer.Execute(AppendSql, Values(serviceId, rows, AuditEventLines.Write(rows.Events), ("$first", first))) == 1)
        {
            return;
        }

        var stored = writer.Scalar(ThroughSql, ("$s", serviceId), ("$t", summary.Id), ("$c", created));
        if (stored is not null)
        {
            // A write repeating events the row holds already (its outcome was not learnt): only those past them.
            var through = Convert.ToInt64(stored, System.Globalization.CultureInfo.InvariantCulture);
            writer.Execute(UpdateSql, Values(serviceId, rows, AuditEventLines.Write(rows.Events.Where(e => e.Sequence > through))));
            return;
        }

        var tags = summary.Tags ?? [];
        writer.Execute(InsertSql, [
            .. Values(serviceId, rows, AuditEventLines.Write(rows.Events)),
            ("$type", summary.Type), ("$queue", summary.Queue), ("$priority", (int)summary.Priority), ("$by", summary.CreatedBy),
            ("$tags", JsonSerializer.Serialize(tags, SqliteJson.Default.IReadOnlyListString)),
        ]);
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            writer.Execute(TagSql, ("$s", serviceId), ("$tag", tag), ("$c", created), ("$t", summary.Id));
        }
    }

    private static (string, object?)[] Values(string serviceId, TaskAuditRows rows, string events, params (string, object?)[] more)
    {
        var summary = rows.Summary;
        return
        [
            ("$s", serviceId), ("$t", summary.Id), ("$c", summary.CreatedAt.UtcTicks),
            ("$status", AuditText.Status(summary.Status)), ("$outcome", AuditText.Outcome(summary.Status)), ("$attempts", summary.Attempts),
            ("$started", summary.StartedAt?.UtcTicks), ("$finished", summary.FinishedAt?.UtcTicks),
            ("$error_kind", summary.LastErrorKind), ("$error_message", summary.LastErrorMessage), ("$error_at", rows.LastErrorAt?.UtcTicks),
            ("$events", events), ("$through", rows.AuditedThrough), .. more,
        ];
    }
}
