namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// One operation for the writer: what it runs inside the batch's transaction, and what it returned. It may refuse (throw
/// anything but a <see cref="Microsoft.Data.Sqlite.SqliteException"/>) only before it has changed anything, since the
/// batch commits what the others did without it; a database error fails the whole batch.
/// </summary>
internal sealed class SqliteWork(Func<SqliteWriter, object?> run)
{
    public Func<SqliteWriter, object?> Run { get; } = run;

    public object? Result { get; set; }
}
