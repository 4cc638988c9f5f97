using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The audit log in the SQLite file (<c>taskengine_task_summaries</c>, <c>taskengine_task_tags</c>), written by
/// <see cref="SqliteGrainStorage"/> with each task state; searched and reported on read-only connections, purged by the
/// writer in chunks (each a short transaction of its own).
/// </summary>
public sealed class SqliteTaskHistory(SqliteDatabase database, IOptions<ClusterOptions> cluster) : ITaskHistory
{
    /// <summary>The most incarnations one purge transaction deletes.</summary>
    internal const int PurgeChunk = 1_000;

    private const string Columns =
        "task_id, created_at, type, queue, priority, status, attempts, created_by, started_at, finished_at, tags, last_error_kind, last_error_message";

    private const string LoadSql = $"SELECT {Columns}, events FROM taskengine_task_summaries WHERE service_id = $s AND task_id = $t ORDER BY created_at DESC LIMIT 1";

    private const string LoadIncarnationSql = $"SELECT {Columns}, events FROM taskengine_task_summaries WHERE service_id = $s AND task_id = $t AND created_at = $c";

    private const string ReportSql = $"""
        SELECT {Columns}, events, last_error_at FROM taskengine_task_summaries
        WHERE service_id = $s AND finished_at IS NOT NULL AND finished_at >= $from AND finished_at < $to
        UNION
        SELECT {Columns}, events, last_error_at FROM taskengine_task_summaries
        WHERE service_id = $s AND last_error_at IS NOT NULL AND last_error_at >= $from
        """;

    // The failure-ratio alerts' count: the window's finishes through the finish-time index, no row read whole.
    private const string CountFinishedSql = """
        SELECT queue, sum(status = 'completed'), sum(status = 'failed') FROM taskengine_task_summaries
        WHERE service_id = $s AND finished_at IS NOT NULL AND finished_at >= $from AND finished_at < $to
          AND status IN ('completed', 'failed')
        GROUP BY queue
        """;

    // The dashboard's count per minute: times are ticks, and the Unix epoch is a whole number of minutes of ticks.
    private const string CountFinishedByMinuteSql = """
        SELECT finished_at / 600000000 - 1035593280, sum(status = 'completed'), sum(status = 'failed'), sum(status = 'cancelled')
        FROM taskengine_task_summaries
        WHERE service_id = $s AND finished_at IS NOT NULL AND finished_at >= $from AND finished_at < $to
        GROUP BY 1
        """;

    private const string DoomedSql = "SELECT task_id, created_at, tags FROM taskengine_task_summaries WHERE service_id = $s AND created_at < $before ORDER BY created_at, task_id LIMIT $limit";

    private const string DeleteSql = "DELETE FROM taskengine_task_summaries WHERE service_id = $s AND task_id = $t AND created_at = $c";

    private const string DeleteTagSql = "DELETE FROM taskengine_task_tags WHERE service_id = $s AND tag = $tag AND created_at = $c AND task_id = $t";

    private readonly string _serviceId = cluster.Value.ServiceId;

    public Task<TaskSearchPage> SearchAsync(TaskSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        return database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = SearchSql(query);
                Bind(command.Parameters, query);
                return TaskSearchPage.FromOneMore(command.ReadAll(ReadSummary), query.Limit);
            },
            cancellationToken);
    }

    public Task<TaskHistoryRecord?> LoadAsync(string taskId, DateTimeOffset? createdAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = createdAt is null ? LoadSql : LoadIncarnationSql;
                command.Parameters.AddWithValue("$s", _serviceId);
                command.Parameters.AddWithValue("$t", taskId);
                if (createdAt is { } created)
                {
                    command.Parameters.AddWithValue("$c", created.UtcTicks);
                }

                var rows = command.ReadAll(r => new TaskHistoryRecord { Summary = ReadSummary(r), Events = AuditEventLines.Read(r.GetString(13)) });
                return rows.Count == 0 ? null : rows[0];
            },
            cancellationToken);
    }

    public Task<TaskStatsInput> LoadStatsInputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadWindowAsync(ReportSql, from, to, command => ReportRows.ToStatsInput(command.ReadAll(r => (ReadSummary(r), r.GetString(13), !r.IsDBNull(14))), from, to), cancellationToken);

    public Task<IReadOnlyList<FinishedByQueue>> CountFinishedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadWindowAsync<IReadOnlyList<FinishedByQueue>>(
            CountFinishedSql, from, to, command => command.ReadAll(r => new FinishedByQueue(r.GetString(0), r.GetInt32(1), r.GetInt32(2))), cancellationToken);

    public Task<IReadOnlyList<FinishedInMinute>> CountFinishedByMinuteAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadWindowAsync<IReadOnlyList<FinishedInMinute>>(
            CountFinishedByMinuteSql, from, to, command => command.ReadAll(r => new FinishedInMinute(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3))), cancellationToken);

    /// <summary>A query over a window of finish times: <c>$s</c>, <c>$from</c> and <c>$to</c> bound, as every report query has them.</summary>
    private Task<T> ReadWindowAsync<T>(string sql, DateTimeOffset from, DateTimeOffset to, Func<SqliteCommand, T> read, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("$s", _serviceId);
                command.Parameters.AddWithValue("$from", from.UtcTicks);
                command.Parameters.AddWithValue("$to", to.UtcTicks);
                return read(command);
            },
            cancellationToken);

    public async Task<int> PurgeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var purged = 0;
        while (purged < limit)
        {
            var chunk = Math.Min(PurgeChunk, limit - purged);
            var deleted = await database.WriteAsync(w =>
            {
                var doomed = w.Query(DoomedSql, r => (Id: r.GetString(0), Created: r.GetInt64(1), Tags: r.GetString(2)), ("$s", _serviceId), ("$before", before.UtcTicks), ("$limit", chunk));
                foreach (var (id, created, tags) in doomed)
                {
                    w.Execute(DeleteSql, ("$s", _serviceId), ("$t", id), ("$c", created));
                    foreach (var tag in JsonSerializer.Deserialize(tags, SqliteJson.Default.StringArray) ?? [])
                    {
                        w.Execute(DeleteTagSql, ("$s", _serviceId), ("$tag", tag), ("$c", created), ("$t", id));
                    }
                }

                return doomed.Count;
            }, cancellationToken).ConfigureAwait(false);

            purged += deleted;
            if (deleted < chunk)
            {
                break;
            }
        }

        return purged;
    }

    /// <summary>The search statement for the filters a query gives; a tag search goes through the tags' table.</summary>
    internal static string SearchSql(TaskSearchQuery query)
    {
        var sql = new StringBuilder($"SELECT {Columns.Replace("task_id", "s.task_id", StringComparison.Ordinal).Replace("created_at", "s.created_at", StringComparison.Ordinal)} FROM taskengine_task_summaries s");
        if (query.Tag is not null)
        {
            sql.Append(" JOIN taskengine_task_tags g ON g.service_id = s.service_id AND g.tag = $tag AND g.created_at = s.created_at AND g.task_id = s.task_id");
        }

        sql.Append(" WHERE s.service_id = $s");
        if (query.Status is { } status)
        {
            sql.Append(AuditText.Outcome(status) is null ? " AND s.outcome IS NULL AND s.status = $status" : " AND s.outcome = $status");
        }

        Append(sql, query.Type, " AND s.type = $type");
        Append(sql, query.Queue, " AND s.queue = $queue");
        Append(sql, query.CreatedBy, " AND s.created_by = $by");
        Append(sql, query.From, " AND s.created_at >= $from");
        Append(sql, query.To, " AND s.created_at < $to");
        Append(sql, query.After, " AND (s.created_at, s.task_id) < ($after_at, $after_id)");
        sql.Append(" ORDER BY s.created_at DESC, s.task_id DESC LIMIT $limit");
        return sql.ToString();

        static void Append(StringBuilder sql, object? value, string clause)
        {
            if (value is not null)
            {
                sql.Append(clause);
            }
        }
    }

    private void Bind(SqliteParameterCollection p, TaskSearchQuery query)
    {
        p.AddWithValue("$s", _serviceId);
        AddIf(p, "$status", query.Status is { } status ? AuditText.Status(status) : null);
        AddIf(p, "$type", query.Type);
        AddIf(p, "$queue", query.Queue);
        AddIf(p, "$by", query.CreatedBy);
        AddIf(p, "$tag", query.Tag);
        AddIf(p, "$from", query.From?.UtcTicks);
        AddIf(p, "$to", query.To?.UtcTicks);
        AddIf(p, "$after_at", query.After?.CreatedAt.UtcTicks);
        AddIf(p, "$after_id", query.After?.Id);
        p.AddWithValue("$limit", query.Limit + 1);

        static void AddIf(SqliteParameterCollection p, string name, object? value)
        {
            if (value is not null)
            {
                p.AddWithValue(name, value);
            }
        }
    }

    private static TaskSummary ReadSummary(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        CreatedAt = Time(r.GetInt64(1)),
        Type = r.GetString(2),
        Queue = r.GetString(3),
        Priority = (TaskPriority)r.GetInt32(4),
        Status = AuditText.ParseStatus(r.GetString(5)),
        Attempts = r.GetInt32(6),
        CreatedBy = r.IsDBNull(7) ? null : r.GetString(7),
        StartedAt = r.IsDBNull(8) ? null : Time(r.GetInt64(8)),
        FinishedAt = r.IsDBNull(9) ? null : Time(r.GetInt64(9)),
        Tags = JsonSerializer.Deserialize(r.GetString(10), SqliteJson.Default.StringArray) ?? [],
        LastErrorKind = r.IsDBNull(11) ? null : r.GetString(11),
        LastErrorMessage = r.IsDBNull(12) ? null : r.GetString(12),
    };

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);
}
