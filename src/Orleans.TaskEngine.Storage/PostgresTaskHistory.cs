using System.Data.Common;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// The audit log in PostgreSQL (table <c>taskengine_task_summaries</c>: an incarnation's summary and its events, see
/// silo-config/sql/100-taskengine.sql), written by <see cref="PostgresGrainStorage"/> in the statement that stores the
/// task's state; this class only reads and purges it. Connections come from Npgsql's pool for the engine's connection
/// string, the one Orleans' providers use. Database failures surface as <see cref="TaskEngineUnavailableException"/>.
/// Times are PostgreSQL's: microseconds (a creation time read back is the one written, truncated to the microsecond).
/// </summary>
public sealed partial class PostgresTaskHistory : ITaskHistory
{
    /// <summary>The most incarnations one purge statement (one transaction) deletes.</summary>
    internal const int PurgeChunk = 1_000;

    internal const string SummaryColumns =
        "task_id, created_at, type, queue, priority, status, attempts, created_by, started_at, finished_at, tags, last_error_kind, last_error_message";

    // The incarnation's row holds its events (AuditEventLines): the newest incarnation, or the one named.
    private const string LoadSql = $"""
        SELECT {SummaryColumns}, events FROM taskengine_task_summaries
        WHERE service_id = @service AND task_id = @task
        ORDER BY created_at DESC
        LIMIT 1
        """;

    private const string LoadIncarnationSql = $"""
        SELECT {SummaryColumns}, events FROM taskengine_task_summaries
        WHERE service_id = @service AND task_id = @task AND created_at = @created
        """;

    // Oldest incarnations first (the newest-first index walked backwards), events and all: one statement, one short
    // transaction. SKIP LOCKED: a row being written (or purged by another silo) now waits for the next round.
    // The keys go through arrays: joined to the CTE itself, the planner guesses nothing of its size and hashes a scan of
    // the whole table (measured at 100,000 rows); unnest's estimate of 100 rows makes it probe the keys instead.
    internal const string PurgeSql = """
        WITH doomed AS (
            SELECT task_id, created_at FROM taskengine_task_summaries
            WHERE service_id = @service AND created_at < @before
            ORDER BY created_at, task_id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        ),
        keys AS (
            SELECT array_agg(task_id) AS ids, array_agg(created_at) AS created FROM doomed
        ),
        summaries AS (
            DELETE FROM taskengine_task_summaries s
            USING keys k, unnest(k.ids, k.created) AS d (task_id, created_at)
            WHERE s.service_id = @service AND s.task_id = d.task_id AND s.created_at = d.created_at
            RETURNING 1
        )
        SELECT count(*)::int FROM summaries
        """;

    private readonly string _connectionString;
    private readonly string _serviceId;
    private readonly ILogger<PostgresTaskHistory> _logger;

    public PostgresTaskHistory(IOptions<TaskEngineDatabaseOptions> database, IOptions<ClusterOptions> cluster, ILogger<PostgresTaskHistory> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(cluster);

        // The same string as Orleans' ADO.NET providers get, so Npgsql hands out connections from the same bounded pool.
        _connectionString = database.Value.EffectiveConnectionString();
        _serviceId = cluster.Value.ServiceId;
        _logger = logger;
    }

    /// <summary>
    /// The search statement for the filters a query gives: only those, so each text has a plan that uses the index of
    /// its most selective filter (a catch-all <c>(@x IS NULL OR x = @x)</c> would get one generic plan for all).
    /// </summary>
    internal static string SearchSql(TaskSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {SummaryColumns} FROM taskengine_task_summaries WHERE service_id = @service");
        if (query.Status is { } status)
        {
            // Finished: by outcome, through its index. Not finished: the unfinished (outcome NULL) of that status.
            sql.Append(AuditText.Outcome(status) is null ? " AND outcome IS NULL AND status = @status" : " AND outcome = @status");
        }

        if (query.Type is not null)
        {
            sql.Append(" AND type = @type");
        }

        if (query.Queue is not null)
        {
            sql.Append(" AND queue = @queue");
        }

        if (query.CreatedBy is not null)
        {
            sql.Append(" AND created_by = @created_by");
        }

        if (query.Tag is not null)
        {
            sql.Append(" AND tags @> ARRAY[@tag]::text[]");
        }

        if (query.From is not null)
        {
            sql.Append(" AND created_at >= @from");
        }

        if (query.To is not null)
        {
            sql.Append(" AND created_at < @to");
        }

        if (query.After is not null)
        {
            // One row comparison: a range of (created_at, task_id) that the index scan starts at.
            sql.Append(" AND (created_at, task_id) < (@after_at, @after_id)");
        }

        sql.Append(" ORDER BY created_at DESC, task_id DESC LIMIT @limit");
        return sql.ToString();
    }

    /// <summary>Binds <see cref="SearchSql"/>'s parameters (but the service) for a query.</summary>
    internal static void BindSearch(NpgsqlParameterCollection parameters, TaskSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Status is { } status)
        {
            parameters.AddWithValue("status", AuditText.Status(status));
        }

        if (query.Type is not null)
        {
            parameters.AddWithValue("type", query.Type);
        }

        if (query.Queue is not null)
        {
            parameters.AddWithValue("queue", query.Queue);
        }

        if (query.CreatedBy is not null)
        {
            parameters.AddWithValue("created_by", query.CreatedBy);
        }

        if (query.Tag is not null)
        {
            parameters.AddWithValue("tag", NpgsqlDbType.Text, query.Tag);
        }

        if (query.From is { } from)
        {
            parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
        }

        if (query.To is { } to)
        {
            parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, to.UtcDateTime);
        }

        if (query.After is { } after)
        {
            parameters.AddWithValue("after_at", NpgsqlDbType.TimestampTz, after.CreatedAt.UtcDateTime);
            parameters.AddWithValue("after_id", NpgsqlDbType.Text, after.Id);
        }

        // One more than the page: whether there is a next page.
        parameters.AddWithValue("limit", query.Limit + 1);
    }

    public async Task<TaskSearchPage> SearchAsync(TaskSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        var items = await QueryAsync("search the tasks", SearchSql(query), p => BindSearch(p, query), ReadSummary, cancellationToken).ConfigureAwait(false);
        return TaskSearchPage.FromOneMore(items, query.Limit);
    }

    public async Task<TaskHistoryRecord?> LoadAsync(string taskId, DateTimeOffset? createdAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var records = await QueryAsync(
            $"load the history of task {taskId}",
            createdAt is null ? LoadSql : LoadIncarnationSql,
            p =>
            {
                p.AddWithValue("task", NpgsqlDbType.Text, taskId);
                if (createdAt is { } created)
                {
                    p.AddWithValue("created", NpgsqlDbType.TimestampTz, created.UtcDateTime);
                }
            },
            reader => new TaskHistoryRecord { Summary = ReadSummary(reader), Events = AuditEventLines.Read(reader.GetString(13)) },
            cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var purged = 0;
        while (purged < limit)
        {
            var chunk = Math.Min(PurgeChunk, limit - purged);
            var counts = await QueryAsync(
                "purge the task history",
                PurgeSql,
                p =>
                {
                    p.AddWithValue("before", NpgsqlDbType.TimestampTz, before.UtcDateTime);
                    p.AddWithValue("limit", chunk);
                },
                reader => reader.GetInt32(0),
                cancellationToken).ConfigureAwait(false);
            var deleted = counts.Count == 0 ? 0 : counts[0];

            purged += deleted;
            if (deleted < chunk)
            {
                break;
            }
        }

        return purged;
    }

    private static TaskSummary ReadSummary(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(1),
        Type = reader.GetString(2),
        Queue = reader.GetString(3),
        Priority = (TaskPriority)reader.GetInt32(4),
        Status = AuditText.ParseStatus(reader.GetString(5)),
        Attempts = reader.GetInt32(6),
        CreatedBy = reader.IsDBNull(7) ? null : reader.GetString(7),
        StartedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        FinishedAt = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
        Tags = reader.GetFieldValue<string[]>(10),
        LastErrorKind = reader.IsDBNull(11) ? null : reader.GetString(11),
        LastErrorMessage = reader.IsDBNull(12) ? null : reader.GetString(12),
    };

    private async Task<List<T>> QueryAsync<T>(
        string operation, string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        try
        {
            return await PostgresRows.QueryAsync(_connectionString, _serviceId, sql, bind, read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or FormatException)
        {
            LogFailed(ex, operation, _serviceId);
            throw Unavailable(operation, ex);
        }
    }

    // The cause goes into the message, not as the inner exception: a driver's exception has no Orleans codec, and this
    // one crosses grain calls. The full exception is logged.
    private static TaskEngineUnavailableException Unavailable(string operation, Exception cause) =>
        new($"The task history is unavailable: could not {operation} ({cause.GetType().Name}: {cause.Message}). Try again.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task history: could not {Operation} of service {ServiceId}")]
    private partial void LogFailed(Exception exception, string operation, string serviceId);
}
