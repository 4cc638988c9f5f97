using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Orleans' reminder table in the SQLite file (table <c>taskengine_reminders</c>), written through the store's writer,
/// read on a read connection.
/// The ETag is the row's version, as in Orleans' ADO.NET table: a remove with another one changes nothing.
/// </summary>
public sealed class SqliteReminderTable(SqliteDatabase database, IOptions<ClusterOptions> cluster) : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_time, period, version";

    private const string ByGrainSql = $"SELECT {Columns} FROM taskengine_reminders WHERE service_id = $s AND grain_id = $g";

    // The ring range (begin, end]; begin >= end wraps around.
    private const string ByRangeSql = $"""
        SELECT {Columns} FROM taskengine_reminders
        WHERE service_id = $s AND (($begin < $end AND grain_hash > $begin AND grain_hash <= $end)
                                OR ($begin >= $end AND (grain_hash > $begin OR grain_hash <= $end)))
        """;

    private const string OneSql = $"SELECT {Columns} FROM taskengine_reminders WHERE service_id = $s AND grain_id = $g AND reminder_name = $n";

    private const string UpsertSql = """
        INSERT INTO taskengine_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
        VALUES ($s, $g, $n, $start, $period, $hash, 1)
        ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
        SET start_time = excluded.start_time, period = excluded.period, grain_hash = excluded.grain_hash, version = version + 1
        RETURNING version
        """;

    private const string RemoveSql = "DELETE FROM taskengine_reminders WHERE service_id = $s AND grain_id = $g AND reminder_name = $n AND version = $v";

    private readonly string _serviceId = cluster.Value.ServiceId;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Task.FromResult(new ReminderTableData(database.Read(c => c.Query(ByGrainSql, Read, ("$s", _serviceId), ("$g", grainId.ToString())))));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Task.FromResult(new ReminderTableData(database.Read(c => c.Query(ByRangeSql, Read, ("$s", _serviceId), ("$begin", (long)begin), ("$end", (long)end)))));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = database.Read(c => c.Query(OneSql, Read, ("$s", _serviceId), ("$g", grainId.ToString()), ("$n", reminderName)));
        return Task.FromResult(rows.Count == 0 ? null : rows[0]);
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var version = await database.WriteAsync(w => w.Scalar(
            UpsertSql,
            ("$s", _serviceId), ("$g", entry.GrainId.ToString()), ("$n", entry.ReminderName), ("$start", entry.StartAt.ToUniversalTime().Ticks),
            ("$period", entry.Period.Ticks), ("$hash", (long)entry.GrainId.GetUniformHashCode()))).ConfigureAwait(false);
        return Convert.ToString(version, CultureInfo.InvariantCulture);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? database.WriteAsync(w => w.Execute(RemoveSql, ("$s", _serviceId), ("$g", grainId.ToString()), ("$n", reminderName), ("$v", version)) == 1)
            : Task.FromResult(false);

    public Task TestOnlyClearTable() =>
        database.WriteAsync(w => w.Execute("DELETE FROM taskengine_reminders WHERE service_id = $s", ("$s", _serviceId)));

    private static ReminderEntry Read(Microsoft.Data.Sqlite.SqliteDataReader r) => new()
    {
        GrainId = GrainId.Parse(r.GetString(0), CultureInfo.InvariantCulture),
        ReminderName = r.GetString(1),
        StartAt = new DateTime(r.GetInt64(2), DateTimeKind.Utc),
        Period = TimeSpan.FromTicks(r.GetInt64(3)),
        ETag = r.GetInt64(4).ToString(CultureInfo.InvariantCulture),
    };
}
