using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// Grain storage in PostgreSQL (table <c>taskengine_grain_state</c>, see silo-config/sql/110-taskengine-grain-state.sql),
/// group-committed: the reads, writes and clears of many grains join a <see cref="GroupCommitQueue{TOperation}"/> and
/// each flush runs them as one batch of at most three statements, in one round trip. Orleans' ADO.NET storage makes a
/// round trip (and a plpgsql call) per operation, which is what limits a silo's task rate.
/// The ETag is the row's version: 1 when inserted, one more each write; a write or clear with another ETag than the
/// stored one is refused with <see cref="InconsistentStateException"/>. Database failures propagate as they are (the
/// engine wraps this storage in UnavailableOnFailureGrainStorage); a failed batch fails each of its operations.
/// </summary>
public sealed partial class PostgresGrainStorage : IGrainStorage, IAsyncDisposable, IDisposable
{
    /// <summary>The most operations one round trip carries; a longer queue is written in several.</summary>
    internal const int MaxBatchSize = 1_000;

    internal const string ReadSql = """
        SELECT t.state_name, t.grain_id, t.version, t.payload
        FROM unnest(@names, @ids) AS i (state_name, grain_id)
        JOIN taskengine_grain_state t ON t.service_id = @service AND t.state_name = i.state_name AND t.grain_id = i.grain_id
        """;

    // An update where the version is the expected one, an insert where none is expected (and no row exists): the rows
    // returned are the writes that succeeded, with their new versions. Both see the same snapshot and never the same row.
    // The audit log is written by the same statement, for the writes that succeeded only (joined on their rows): one row
    // per task incarnation, upserted, its new events appended to its event lines (text concatenation). audited_through
    // is the last event sequence the row holds; every line starts with {"seq":N, (AuditEventLines), so a write carrying
    // events the row already holds appends only the lines past it: no event is ever logged twice (the usual write, whose
    // first line is past it, is appended whole without splitting anything). Tags go as one flat array, each summary taking its slice [tag_from:tag_to] (empty when from > to),
    // since unnest cannot give rows arrays of different lengths.
    internal const string WriteSql = """
        WITH input AS (
            SELECT * FROM unnest(@names, @ids, @expected, @payloads) AS i (state_name, grain_id, expected, payload)
        ),
        updated AS (
            UPDATE taskengine_grain_state t
            SET version = t.version + 1, payload = i.payload, modified_on = now()
            FROM input i
            WHERE t.service_id = @service AND t.state_name = i.state_name AND t.grain_id = i.grain_id AND t.version = i.expected
            RETURNING t.state_name, t.grain_id, t.version
        ),
        inserted AS (
            INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload)
            SELECT @service, i.state_name, i.grain_id, 1, i.payload FROM input i WHERE i.expected IS NULL
            ON CONFLICT (service_id, state_name, grain_id) DO NOTHING
            RETURNING state_name, grain_id, version
        ),
        written AS (
            SELECT state_name, grain_id, version FROM updated
            UNION ALL
            SELECT state_name, grain_id, version FROM inserted
        ),
        audit AS (
            SELECT a.* FROM unnest(
                @a_names, @a_ids, @a_tasks, @a_created, @a_types, @a_queues, @a_priorities, @a_statuses, @a_attempts,
                @a_created_by, @a_started, @a_finished, @a_tag_from, @a_tag_to, @a_error_kinds, @a_error_messages,
                @a_error_at, @a_events, @a_through, @a_outcomes)
                AS a (state_name, grain_id, task_id, created_at, type, queue, priority, status, attempts,
                    created_by, started_at, finished_at, tag_from, tag_to, last_error_kind, last_error_message,
                    last_error_at, events, audited_through, outcome)
            JOIN written w ON w.state_name = a.state_name AND w.grain_id = a.grain_id
        ),
        summaries AS (
            INSERT INTO taskengine_task_summaries AS s (service_id, task_id, created_at, type, queue, priority, status, outcome,
                attempts, created_by, started_at, finished_at, tags, last_error_kind, last_error_message, last_error_at, events,
                audited_through)
            SELECT @service, a.task_id, a.created_at, a.type, a.queue, a.priority, a.status, a.outcome, a.attempts,
                a.created_by, a.started_at, a.finished_at, coalesce((@a_tags::text[])[a.tag_from:a.tag_to], '{}'),
                a.last_error_kind, a.last_error_message, a.last_error_at, a.events, a.audited_through
            FROM audit a
            ON CONFLICT (service_id, task_id, created_at) DO UPDATE
            SET status = EXCLUDED.status, outcome = EXCLUDED.outcome, attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
                finished_at = EXCLUDED.finished_at, last_error_kind = EXCLUDED.last_error_kind,
                last_error_message = EXCLUDED.last_error_message, last_error_at = EXCLUDED.last_error_at,
                events = CASE
                    WHEN EXCLUDED.audited_through <= s.audited_through OR EXCLUDED.events = '' THEN s.events
                    WHEN split_part(split_part(EXCLUDED.events, ',', 1), ':', 2)::bigint > s.audited_through
                        THEN s.events || EXCLUDED.events
                    ELSE s.events || (
                        SELECT coalesce(string_agg(x.line || E'\n', '' ORDER BY x.n), '')
                        FROM string_to_table(EXCLUDED.events, E'\n') WITH ORDINALITY AS x (line, n)
                        WHERE x.line <> '' AND split_part(split_part(x.line, ',', 1), ':', 2)::bigint > s.audited_through)
                    END,
                audited_through = greatest(s.audited_through, EXCLUDED.audited_through)
        )
        SELECT state_name, grain_id, version FROM written
        """;

    // The rows returned are the clears that succeeded: a delete at the expected version, or, with no version expected,
    // no row to delete.
    private const string ClearSql = """
        WITH input AS (
            SELECT * FROM unnest(@names, @ids, @expected) AS i (state_name, grain_id, expected)
        ),
        deleted AS (
            DELETE FROM taskengine_grain_state t
            USING input i
            WHERE t.service_id = @service AND t.state_name = i.state_name AND t.grain_id = i.grain_id AND t.version = i.expected
            RETURNING t.state_name, t.grain_id
        )
        SELECT state_name, grain_id FROM deleted
        UNION ALL
        SELECT i.state_name, i.grain_id FROM input i
        WHERE i.expected IS NULL AND NOT EXISTS (
            SELECT 1 FROM taskengine_grain_state t
            WHERE t.service_id = @service AND t.state_name = i.state_name AND t.grain_id = i.grain_id)
        """;

    // Orleans never runs two operations of one grain at once; should it happen, the later one waits for the next batch
    // (one statement cannot update a row twice, and the order of the two would be lost).
    private static readonly IEqualityComparer<Operation> SameTarget =
        EqualityComparer<Operation>.Create((a, b) => a!.Target == b!.Target, o => o.Target.GetHashCode());

    private readonly string _connectionString;
    private readonly string _serviceId;
    private readonly Serializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<PostgresGrainStorage> _logger;
    private readonly GroupCommitQueue<Operation> _operations;

    // Whether task writes carry their audit rows (TaskEngine:History:Enabled).
    private readonly bool _audit;

    public PostgresGrainStorage(
        IOptions<TaskEngineDatabaseOptions> database,
        IOptions<ClusterOptions> cluster,
        Serializer serializer,
        IActivatorProvider activators,
        ILogger<PostgresGrainStorage> logger,
        IOptions<HistoryOptions>? history = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);

        // The same string as Orleans' ADO.NET providers get, so Npgsql hands out connections from the same bounded pool.
        _connectionString = database.Value.EffectiveConnectionString();
        _serviceId = cluster.Value.ServiceId;
        _serializer = serializer;
        _activators = activators;
        _logger = logger;
        _audit = history?.Value.Enabled ?? true;
        _operations = new GroupCommitQueue<Operation>(
            MaxBatchSize,
            database.Value.MaxQueuedOperations,
            WriteBatchAsync,
            () => new ObjectDisposedException(nameof(PostgresGrainStorage), "The grain storage is closed: the silo is shutting down."),
            SameTarget);
    }

    /// <summary>Round trips that ran a batch successfully (for tests: many operations, few batches).</summary>
    internal long BatchesWritten => _operations.BatchesWritten;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var read = new Operation(OperationKind.Read, stateName, grainId.ToString(), expected: null, payload: null);
        await _operations.EnqueueAsync(read).ConfigureAwait(false);

        if (read.Succeeded)
        {
            grainState.State = _serializer.Deserialize<T>(read.Payload!);
            grainState.ETag = FormatETag(read.Version);
            grainState.RecordExists = true;
        }
        else
        {
            // As Orleans' own storages do: no row is a new, empty state.
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);

        // Serialized here, on the caller's thread, so the flush loop only moves bytes; the audit log's rows too.
        var write = new Operation(
            OperationKind.Write, stateName, grainId.ToString(), ParseETag("write", stateName, grainId, grainState.ETag), _serializer.SerializeToArray(grainState.State))
        {
            Audit = _audit ? TaskAuditProjection.Project(stateName, grainId.Key.ToString()!, grainState.State) : null,
        };
        await _operations.EnqueueAsync(write).ConfigureAwait(false);

        grainState.ETag = FormatETag(write.Version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var clear = new Operation(OperationKind.Clear, stateName, grainId.ToString(), ParseETag("clear", stateName, grainId, grainState.ETag), payload: null);
        await _operations.EnqueueAsync(clear).ConfigureAwait(false);

        grainState.State = CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Takes no more operations and waits until those already queued are done.</summary>
    public ValueTask DisposeAsync() => _operations.DisposeAsync();

    /// <summary>
    /// As <see cref="DisposeAsync"/>, for a container disposed synchronously (which refuses a service that is only
    /// IAsyncDisposable). The flush never runs on the caller's scheduler, so blocking on it cannot deadlock.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Runs one batch; refused writes and clears fail on their own, a database failure fails them all.</summary>
    private async Task WriteBatchAsync(IReadOnlyList<GroupCommitQueue<Operation>.Pending> batch)
    {
        try
        {
            await ExecuteBatchAsync(batch).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogBatchFailed(ex, _serviceId, batch.Count);
            throw;
        }

        foreach (var (operation, completion) in batch)
        {
            if (!operation.Succeeded && operation.Kind != OperationKind.Read)
            {
                var etag = operation.Expected is { } expected ? FormatETag(expected) : null;
                completion.TrySetException(new InconsistentStateException(
                    $"Version conflict ({operation.Kind}): service {_serviceId}, state {operation.StateName} of {operation.GrainId}: " +
                    (etag is null ? "a row exists though the grain holds none." : $"ETag {etag} is not the stored version (or the row is gone)."),
                    storedEtag: null,
                    currentEtag: etag));
            }
        }
    }

    /// <summary>One round trip, one implicit transaction: a statement for each kind of operation the batch holds.</summary>
    private async Task ExecuteBatchAsync(IReadOnlyList<GroupCommitQueue<Operation>.Pending> batch)
    {
        var byTarget = new Dictionary<(string StateName, string GrainId), Operation>(batch.Count);
        foreach (var (operation, _) in batch)
        {
            byTarget.Add(operation.Target, operation);
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlBatch(connection);
        foreach (var kind in (ReadOnlySpan<OperationKind>)[OperationKind.Read, OperationKind.Write, OperationKind.Clear])
        {
            var operations = byTarget.Values.Where(o => o.Kind == kind).ToArray();
            if (operations.Length > 0)
            {
                command.BatchCommands.Add(NewCommand(kind, operations));
            }
        }

        // Every statement returns (state_name, grain_id, ...) of the operations that found their row or succeeded.
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var operation = byTarget[(reader.GetString(0), reader.GetString(1))];
                operation.Succeeded = true;
                if (operation.Kind != OperationKind.Clear)
                {
                    operation.Version = reader.GetInt32(2);
                }

                if (operation.Kind == OperationKind.Read)
                {
                    operation.Payload = reader.GetFieldValue<byte[]>(3);
                }
            }
        }
        while (await reader.NextResultAsync().ConfigureAwait(false));
    }

    private NpgsqlBatchCommand NewCommand(OperationKind kind, Operation[] operations)
    {
        var command = new NpgsqlBatchCommand(kind switch
        {
            OperationKind.Read => ReadSql,
            OperationKind.Write => WriteSql,
            _ => ClearSql,
        });
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("names", operations.Select(o => o.StateName).ToArray());
        command.Parameters.AddWithValue("ids", operations.Select(o => o.GrainId).ToArray());
        if (kind != OperationKind.Read)
        {
            // Typed explicitly: NULL elements (nothing expected) in an integer[].
            command.Parameters.Add(new NpgsqlParameter<int?[]>("expected", NpgsqlDbType.Array | NpgsqlDbType.Integer)
            {
                TypedValue = operations.Select(o => o.Expected).ToArray(),
            });
        }

        if (kind == OperationKind.Write)
        {
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                TypedValue = operations.Select(o => o.Payload!).ToArray(),
            });
            AddAuditParameters(command.Parameters, operations);
        }

        return command;
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    /// <summary>The version an ETag stands for; an ETag that is no version of this store cannot match the stored one.</summary>
    private int? ParseETag(string operation, string stateName, GrainId grainId, string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        return int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException(
                $"Version conflict ({operation}): service {_serviceId}, state {stateName} of {grainId}: ETag '{etag}' is not a version of this store.",
                storedEtag: null,
                currentEtag: etag);
    }

    private static string FormatETag(int version) => version.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage of service {ServiceId}: a batch of {Count} operation(s) failed; each fails to its caller")]
    private partial void LogBatchFailed(Exception exception, string serviceId, int count);

    private enum OperationKind
    {
        Read,
        Write,
        Clear,
    }

    /// <summary>
    /// One grain's read, write or clear: the version expected (null: no row) and the payload to write, then, once its
    /// batch has run, whether it succeeded (for a read: found its row) with the row's version and payload.
    /// </summary>
    private sealed class Operation(OperationKind kind, string stateName, string grainId, int? expected, byte[]? payload)
    {
        public OperationKind Kind { get; } = kind;

        public string StateName { get; } = stateName;

        public string GrainId { get; } = grainId;

        public int? Expected { get; } = expected;

        public (string StateName, string GrainId) Target => (StateName, GrainId);

        public bool Succeeded { get; set; }

        public int Version { get; set; }

        public byte[]? Payload { get; set; } = payload;

        /// <summary>For a write of a task's state: what the audit log gains with it (null: nothing).</summary>
        public TaskAuditRows? Audit { get; init; }
    }
}
