using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Grain storage in the SQLite file (table <c>taskengine_grain_state</c>), written through the store's one writer (many
/// grains' writes share a transaction) and read on a pooled read connection at once. The ETag is the row's version, as on PostgreSQL: 1 when inserted, one more each
/// write; a write or clear with another ETag than the stored one is refused with <see cref="InconsistentStateException"/>.
/// A task's write carries its audit log rows (<see cref="SqliteAuditLog"/>) in the same transaction.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private const string ReadSql = "SELECT version, payload FROM taskengine_grain_state WHERE service_id = $s AND state_name = $n AND grain_id = $g";

    private const string InsertSql = """
        INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload, modified_on)
        VALUES ($s, $n, $g, 1, $p, $now)
        ON CONFLICT (service_id, state_name, grain_id) DO NOTHING
        """;

    private const string UpdateSql = """
        UPDATE taskengine_grain_state SET version = version + 1, payload = $p, modified_on = $now
        WHERE service_id = $s AND state_name = $n AND grain_id = $g AND version = $v
        """;

    private const string DeleteSql = "DELETE FROM taskengine_grain_state WHERE service_id = $s AND state_name = $n AND grain_id = $g AND version = $v";

    private const string ExistsSql = "SELECT 1 FROM taskengine_grain_state WHERE service_id = $s AND state_name = $n AND grain_id = $g";

    private readonly SqliteDatabase _database;
    private readonly string _serviceId;
    private readonly Serializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly bool _audit;

    public SqliteGrainStorage(
        SqliteDatabase database, IOptions<ClusterOptions> cluster, Serializer serializer, IActivatorProvider activators, IOptions<HistoryOptions>? history = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(cluster);
        _database = database;
        _serviceId = cluster.Value.ServiceId;
        _serializer = serializer;
        _activators = activators;
        _audit = history?.Value.Enabled ?? true;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        var rows = _database.Read(c => c.Query(ReadSql, r => (Version: r.GetInt32(0), Payload: (byte[])r.GetValue(1)), ("$s", _serviceId), ("$n", stateName), ("$g", id)));
        if (rows is [var found])
        {
            grainState.State = _serializer.Deserialize<T>(found.Payload);
            grainState.ETag = found.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = _activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        var expected = ParseETag("write", stateName, grainId, grainState.ETag);
        var payload = _serializer.SerializeToArray(grainState.State);
        var audit = _audit ? TaskAuditProjection.Project(stateName, grainId.Key.ToString()!, grainState.State) : null;
        var version = await _database.WriteAsync(w =>
        {
            var now = DateTime.UtcNow.Ticks;
            int written;
            if (expected is null)
            {
                written = w.Execute(InsertSql, ("$s", _serviceId), ("$n", stateName), ("$g", id), ("$p", payload), ("$now", now));
            }
            else
            {
                written = w.Execute(UpdateSql, ("$s", _serviceId), ("$n", stateName), ("$g", id), ("$p", payload), ("$now", now), ("$v", expected.Value));
            }

            if (written == 0)
            {
                throw Conflict("write", stateName, grainId, grainState.ETag);
            }

            if (audit is not null)
            {
                SqliteAuditLog.Append(w, _serviceId, audit);
            }

            return (expected ?? 0) + 1;
        }).ConfigureAwait(false);

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        var expected = ParseETag("clear", stateName, grainId, grainState.ETag);
        await _database.WriteAsync(w =>
        {
            var done = expected is null
                ? w.Scalar(ExistsSql, ("$s", _serviceId), ("$n", stateName), ("$g", id)) is null
                : w.Execute(DeleteSql, ("$s", _serviceId), ("$n", stateName), ("$g", id), ("$v", expected.Value)) == 1;
            return done ? true : throw Conflict("clear", stateName, grainId, grainState.ETag);
        }).ConfigureAwait(false);

        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private int? ParseETag(string operation, string stateName, GrainId grainId, string? etag) =>
        etag is null ? null
        : int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : throw new InconsistentStateException(
            $"Version conflict ({operation}): service {_serviceId}, state {stateName} of {grainId}: ETag '{etag}' is not a version of this store.",
            storedEtag: null,
            currentEtag: etag);

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag) => new(
        $"Version conflict ({operation}): service {_serviceId}, state {stateName} of {grainId}: " +
        (etag is null ? "a row exists though the grain holds none." : $"ETag {etag} is not the stored version (or the row is gone)."),
        storedEtag: null,
        currentEtag: etag);
}
