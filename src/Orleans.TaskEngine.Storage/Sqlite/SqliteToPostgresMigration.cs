using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Moves a SQLite store into a PostgreSQL database (whose schema is applied first): every grain state (tasks unfinished
/// and retained, their queue records, agents), every reminder and the audit log, as they are, in one transaction.
/// Rows the target has already (a migration run twice) are kept, not overwritten. The source is opened under the
/// store's lock: the engine must be stopped, so nothing changes while it is copied.
/// </summary>
public static class SqliteToPostgresMigration
{
    private const int Chunk = 500;

    /// <summary>Rows copied per table (and rows the target had already, not copied).</summary>
    public sealed record Result(IReadOnlyDictionary<string, (int Copied, int Kept)> Tables);

    public static async Task<Result> RunAsync(string sqliteFile, string postgresConnectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sqliteFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(postgresConnectionString);
        if (!File.Exists(sqliteFile))
        {
            throw new SqliteStoreException($"There is no task database at {sqliteFile} to migrate.");
        }

        using var held = SqliteFileLock.Acquire(sqliteFile);
        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqliteFile, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var target = new NpgsqlConnection(postgresConnectionString);
        await target.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await target.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var tables = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
        {
            ["taskengine_grain_state"] = await CopyAsync(source, target,
                "SELECT service_id, state_name, grain_id, version, payload FROM taskengine_grain_state",
                """
                INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
                """,
                r => [r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), (byte[])r.GetValue(4)],
                cancellationToken).ConfigureAwait(false),
            ["taskengine_queue_records"] = await CopyAsync(source, target,
                "SELECT service_id, task_id, queue, priority, seq, expires_at, task_type FROM taskengine_queue_records",
                """
                INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at, task_type)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
                """,
                r => [r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4), Time(r, 5), r.IsDBNull(6) ? null : r.GetString(6)],
                cancellationToken).ConfigureAwait(false),
            ["orleans_reminders"] = await CopyAsync(source, target,
                "SELECT service_id, grain_id, reminder_name, start_time, period, grain_hash FROM taskengine_reminders",
                """
                INSERT INTO orleans_reminders (serviceid, grainid, remindername, starttime, period, grainhash, version)
                VALUES ($1, $2, $3, $4, $5, $6, 0) ON CONFLICT DO NOTHING
                """,
                // Orleans' table keeps the period in milliseconds and the ring hash as a signed integer.
                r => [r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3), r.GetInt64(4) / TimeSpan.TicksPerMillisecond, unchecked((int)(uint)r.GetInt64(5))],
                cancellationToken).ConfigureAwait(false),
            ["taskengine_task_summaries"] = await CopyAsync(source, target,
                """
                SELECT service_id, task_id, created_at, type, queue, priority, status, outcome, attempts, created_by, started_at,
                    finished_at, tags, last_error_kind, last_error_message, last_error_at, events, audited_through
                FROM taskengine_task_summaries
                """,
                """
                INSERT INTO taskengine_task_summaries (service_id, task_id, created_at, type, queue, priority, status, outcome,
                    attempts, created_by, started_at, finished_at, tags, last_error_kind, last_error_message, last_error_at, events,
                    audited_through)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING
                """,
                r =>
                [
                    r.GetString(0), r.GetString(1), Time(r, 2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6), Text(r, 7),
                    r.GetInt32(8), Text(r, 9), Time(r, 10), Time(r, 11),
                    JsonSerializer.Deserialize(r.GetString(12), SqliteJson.Default.StringArray) ?? [],
                    Text(r, 13), Text(r, 14), Time(r, 15), r.GetString(16), r.GetInt64(17),
                ],
                cancellationToken).ConfigureAwait(false),
        };

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Result(tables);
    }

    private static async Task<(int Copied, int Kept)> CopyAsync(
        SqliteConnection source, NpgsqlConnection target, string select, string insert, Func<SqliteDataReader, object?[]> row, CancellationToken cancellationToken)
    {
        var copied = 0;
        var kept = 0;
        await using var read = source.CreateCommand();
        read.CommandText = select;
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var batch = new NpgsqlBatch(target);
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var command = new NpgsqlBatchCommand(insert);
                foreach (var value in row(reader))
                {
                    command.Parameters.Add(value switch
                    {
                        null => new NpgsqlParameter { Value = DBNull.Value }, // untyped: the column's type
                        DateTime time => new NpgsqlParameter { Value = time, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                        _ => new NpgsqlParameter { Value = value },
                    });
                }

                batch.BatchCommands.Add(command);
                if (batch.BatchCommands.Count == Chunk)
                {
                    (copied, kept) = Add((copied, kept), await RunAsync(batch, cancellationToken).ConfigureAwait(false));
                    await batch.DisposeAsync().ConfigureAwait(false);
                    batch = new NpgsqlBatch(target);
                }
            }

            (copied, kept) = Add((copied, kept), await RunAsync(batch, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            await batch.DisposeAsync().ConfigureAwait(false);
        }

        return (copied, kept);

        static (int, int) Add((int Copied, int Kept) total, (int Copied, int Kept) more) => (total.Copied + more.Copied, total.Kept + more.Kept);
    }

    private static async Task<(int Copied, int Kept)> RunAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        if (batch.BatchCommands.Count == 0)
        {
            return (0, 0);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var copied = 0;
        foreach (var command in batch.BatchCommands)
        {
            copied += command.RecordsAffected;
        }

        return (copied, batch.BatchCommands.Count - copied);
    }

    private static DateTime? Time(SqliteDataReader r, int column) => r.IsDBNull(column) ? null : new DateTime(r.GetInt64(column), DateTimeKind.Utc);

    private static string? Text(SqliteDataReader r, int column) => r.IsDBNull(column) ? null : r.GetString(column);
}
