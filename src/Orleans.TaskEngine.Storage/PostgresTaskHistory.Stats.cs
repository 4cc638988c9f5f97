using Npgsql;
using NpgsqlTypes;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage;

/// <summary>What an execution report reads: the window's finished incarnations, and its failure events.</summary>
public sealed partial class PostgresTaskHistory
{
    // Both read a range of the events' partial report index (failures and finishes by time), and a finish's summary by key.
    // A task that finished twice in the window (retried after it failed) counts once, as it stands now.
    private const string FinishedInWindowSql = """
        SELECT DISTINCT ON (s.task_id, s.created_at)
               s.task_id, s.created_at, s.type, s.queue, s.priority, s.status, s.attempts, s.created_by, s.started_at, s.finished_at,
               s.tags, s.last_error_kind, s.last_error_message
        FROM taskengine_audit_events e
        JOIN taskengine_task_summaries s ON s.service_id = e.service_id AND s.task_id = e.task_id AND s.created_at = e.created_at
        WHERE e.service_id = @service AND (e.error_kind IS NOT NULL OR e.status IN ('completed', 'failed', 'cancelled'))
          AND e.status IN ('completed', 'failed', 'cancelled') AND e.at >= @from AND e.at < @to
          AND s.finished_at >= @from AND s.finished_at < @to
        """;

    private const string FailuresInWindowSql = """
        SELECT e.task_id, e.created_at, e.type, e.queue, e.seq, e.at, e.kind, e.status, e.attempt, e.worker_id, e.silo, e.actor, e.message,
               e.error_kind, e.percent
        FROM taskengine_audit_events e
        WHERE e.service_id = @service AND (e.error_kind IS NOT NULL OR e.status IN ('completed', 'failed', 'cancelled'))
          AND e.error_kind IS NOT NULL AND e.at >= @from AND e.at < @to
        """;

    public async Task<TaskStatsInput> LoadStatsInputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var finished = new List<TaskSummary>();
        var failures = new List<AuditEvent>();
        void Bind(NpgsqlParameterCollection p)
        {
            p.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
            p.AddWithValue("to", NpgsqlDbType.TimestampTz, to.UtcDateTime);
        }

        await RunAsync("read the finished tasks of a report", FinishedInWindowSql, Bind, async reader =>
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                finished.Add(ReadSummary(reader));
            }
        }, cancellationToken).ConfigureAwait(false);

        await RunAsync("read the failures of a report", FailuresInWindowSql, Bind, async reader =>
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                failures.Add(new AuditEvent
                {
                    TaskId = reader.GetString(0),
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(1),
                    Type = reader.GetString(2),
                    Queue = reader.GetString(3),
                    Event = ReadEvent(reader, 4),
                });
            }
        }, cancellationToken).ConfigureAwait(false);

        return new TaskStatsInput { Finished = finished, Failures = failures };
    }
}
