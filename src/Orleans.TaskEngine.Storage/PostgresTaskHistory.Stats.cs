using Npgsql;
using NpgsqlTypes;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage;

/// <summary>What an execution report reads: the window's finished incarnations, and its failure events.</summary>
public sealed partial class PostgresTaskHistory
{
    // The incarnations that finished in the window, and those whose latest failure is in or after it (so any failure in
    // the window is among their events): two partial indexes, one bitmap. A task that finished twice in the window
    // (retried after it failed) counts once, as it stands now.
    internal const string ReportSql = $"""
        SELECT {SummaryColumns}, events, last_error_at FROM taskengine_task_summaries
        WHERE service_id = @service
          AND ((finished_at IS NOT NULL AND finished_at >= @from AND finished_at < @to)
            OR (last_error_at IS NOT NULL AND last_error_at >= @from))
        """;

    // The failure-ratio alerts' count: the window's finishes through the same partial index, no row read whole.
    internal const string CountFinishedSql = """
        SELECT queue, count(*) FILTER (WHERE status = 'completed')::int, count(*) FILTER (WHERE status = 'failed')::int
        FROM taskengine_task_summaries
        WHERE service_id = @service AND finished_at IS NOT NULL AND finished_at >= @from AND finished_at < @to
          AND status IN ('completed', 'failed')
        GROUP BY queue
        """;

    // The dashboard's count per minute: the same partial index, grouped by the minute of the finish.
    internal const string CountFinishedByMinuteSql = """
        SELECT floor(extract(epoch FROM finished_at) / 60)::bigint,
          count(*) FILTER (WHERE status = 'completed')::int, count(*) FILTER (WHERE status = 'failed')::int,
          count(*) FILTER (WHERE status = 'cancelled')::int
        FROM taskengine_task_summaries
        WHERE service_id = @service AND finished_at IS NOT NULL AND finished_at >= @from AND finished_at < @to
        GROUP BY 1
        """;

    public async Task<IReadOnlyList<FinishedInMinute>> CountFinishedByMinuteAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        await QueryWindowAsync(
            "count the finished tasks by minute", CountFinishedByMinuteSql, from, to,
            reader => new FinishedInMinute(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)),
            cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<FinishedByQueue>> CountFinishedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        await QueryWindowAsync(
            "count the finished tasks", CountFinishedSql, from, to,
            reader => new FinishedByQueue(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)),
            cancellationToken).ConfigureAwait(false);

    public async Task<TaskStatsInput> LoadStatsInputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var rows = await QueryWindowAsync(
            "read the tasks of a report", ReportSql, from, to,
            reader => (ReadSummary(reader), reader.GetString(13), !reader.IsDBNull(14)),
            cancellationToken).ConfigureAwait(false);
        return ReportRows.ToStatsInput(rows, from, to);
    }

    /// <summary>A query over a window of finish times: <c>@from</c> and <c>@to</c> bound, as every report query has them.</summary>
    private Task<List<T>> QueryWindowAsync<T>(string what, string sql, DateTimeOffset from, DateTimeOffset to, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        QueryAsync(
            what,
            sql,
            p =>
            {
                p.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
                p.AddWithValue("to", NpgsqlDbType.TimestampTz, to.UtcDateTime);
            },
            read,
            cancellationToken);
}
