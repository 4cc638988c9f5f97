using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The single-file store (<c>TaskEngine:Storage=Sqlite</c>): the file comes from <c>ConnectionStrings:TaskEngine</c>
/// (<c>Data Source=PATH</c>), the rest from <c>TaskEngine:Sqlite</c>.
/// </summary>
public sealed class SqliteStoreOptions
{
    public const string Section = "TaskEngine:Sqlite";

    /// <summary>The file when no connection string names one, relative to the current working directory.</summary>
    public const string DefaultDataSource = "data/taskengine.db";

    /// <summary>A SQLite connection string (<c>Data Source=PATH</c>); null: <see cref="DefaultDataSource"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>See <see cref="SqliteSynchronous"/>; FULL by default (nothing acknowledged is lost, even to a power loss).</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>How long a statement waits for a lock held by a reader or a backup before it fails.</summary>
    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>The most operations waiting for the writer; past it callers wait for room.</summary>
    [Range(100, 1_000_000)]
    public int MaxQueuedOperations { get; set; } = 20_000;

    /// <summary>The absolute path of the file a connection string names (relative: from the current directory).</summary>
    public static string ResolvePath(string? connectionString) => SqliteFile.ResolvePath(connectionString);

    /// <summary>How often free pages (left by purged tasks) are given back to the file system.</summary>
    public TimeSpan VacuumInterval { get; set; } = TimeSpan.FromMinutes(5);
}
