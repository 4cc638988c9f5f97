namespace Orleans.TaskEngine.Hosting;

/// <summary>Where the silo keeps cluster membership, grain state and reminders (<c>TaskEngine:Storage</c>).</summary>
public enum StorageMode
{
    /// <summary>In this process only: tests and throwaway runs. State does not survive a restart.</summary>
    Memory,

    /// <summary>PostgreSQL through Orleans' ADO.NET providers: the durable cluster.</summary>
    Postgres,

    /// <summary>One SQLite file, one silo (localhost clustering): the durable single-machine default.</summary>
    Sqlite,
}
