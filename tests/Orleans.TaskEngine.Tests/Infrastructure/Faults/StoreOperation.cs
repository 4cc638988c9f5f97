namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>The store operations a test can make fail.</summary>
public enum StoreOperation
{
    /// <summary>A task grain's state write.</summary>
    StateWrite,

    /// <summary>A task grain's state removal (purge).</summary>
    StateClear,

    /// <summary>A queue index record written.</summary>
    IndexSave,

    /// <summary>A queue index record removed.</summary>
    IndexRemove,

    /// <summary>A reminder registered or updated.</summary>
    ReminderUpsert,
}
