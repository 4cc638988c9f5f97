using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// A reminder table in this process's memory: the embedded mode's. Orleans' in-memory reminder service keeps its
/// table in a grain (a call per change); this one is a dictionary, keyed by service id like
/// <see cref="InProcessGrainStorage"/>, so it too outlives a killed silo of a test process.
/// </summary>
public sealed class InProcessReminderTable(IOptions<ClusterOptions> cluster) : IReminderTable
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<(GrainId, string), ReminderEntry>> Services = new();

    private ConcurrentDictionary<(GrainId, string), ReminderEntry> Table => Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Task.FromResult(new ReminderTableData(Table.Values.Where(e => e.GrainId == grainId).Select(Copy).ToList()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Task.FromResult(new ReminderTableData(Table.Values.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).Select(Copy).ToList()));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        Task.FromResult(Table.TryGetValue((grainId, reminderName), out var entry) ? Copy(entry) : null);

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        var stored = Copy(entry);
        stored.ETag = Guid.NewGuid().ToString("N");
        Table[(entry.GrainId, entry.ReminderName)] = stored;
        return Task.FromResult<string?>(stored.ETag);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        lock (Table)
        {
            if (Table.TryGetValue((grainId, reminderName), out var entry) && entry.ETag == eTag)
            {
                return Task.FromResult(Table.TryRemove((grainId, reminderName), out _));
            }
        }

        return Task.FromResult(false);
    }

    public Task TestOnlyClearTable()
    {
        Table.Clear();
        return Task.CompletedTask;
    }

    // The ring range (begin, end]; begin >= end wraps around.
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static ReminderEntry Copy(ReminderEntry e) =>
        new() { GrainId = e.GrainId, ReminderName = e.ReminderName, StartAt = e.StartAt, Period = e.Period, ETag = e.ETag };
}
