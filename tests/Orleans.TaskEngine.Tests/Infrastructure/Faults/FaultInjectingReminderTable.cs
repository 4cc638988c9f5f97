namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>A reminder table that fails the registrations <see cref="StoreFaults"/> says; everything else passes through.</summary>
public sealed class FaultInjectingReminderTable(IReminderTable inner) : IReminderTable
{
    public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        string? etag = null;
        await StoreFaults.RunAsync(
            StoreOperation.ReminderUpsert, entry.GrainId.Key.ToString()!, entry, async () => etag = await inner.UpsertRow(entry), m => new InjectedFaultException(m));
        return etag;
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => inner.RemoveRow(grainId, reminderName, eTag);

    public Task TestOnlyClearTable() => inner.TestOnlyClearTable();
}
