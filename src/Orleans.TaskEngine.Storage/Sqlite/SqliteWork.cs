namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>One operation for the writer: what it runs inside the batch's transaction, and what it returned.</summary>
internal sealed class SqliteWork(Func<SqliteWriter, object?> run)
{
    public Func<SqliteWriter, object?> Run { get; } = run;

    public object? Result { get; set; }
}
