namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>A reminder table that fails the registrations <see cref="StoreFaults"/> says; everything else passes through.</summary>
public sealed class FaultInjectingReminderTable(IReminderTable inner) : IReminderTable
{
    public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var fault = StoreFaults.Take(StoreOperation.ReminderUpsert, entry.GrainId.Key.ToString()!, entry);
        if (fault == FaultKind.FailBefore)
        {
            throw new InjectedFaultException($"injected: reminder {entry.ReminderName} of {entry.GrainId} refused");
        }

        var etag = await inner.UpsertRow(entry);
        if (fault == FaultKind.CommitThenFail)
        {
            throw new InjectedFaultException($"injected: reminder {entry.ReminderName} of {entry.GrainId} stored, then the call failed");
        }

        return etag;
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => inner.RemoveRow(grainId, reminderName, eTag);

    public Task TestOnlyClearTable() => inner.TestOnlyClearTable();
}
