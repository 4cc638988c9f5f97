namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// SQLite's <c>synchronous</c> setting in WAL mode. <see cref="Full"/> syncs the log at every commit: a task whose id was
/// returned survives a power loss. <see cref="Normal"/> syncs it only at checkpoints: a process crash loses nothing,
/// but a power loss (or an OS crash) can lose the commits made since the last checkpoint.
/// </summary>
public enum SqliteSynchronous
{
    Full,

    Normal,
}
