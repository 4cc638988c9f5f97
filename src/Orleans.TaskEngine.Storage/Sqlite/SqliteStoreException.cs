namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>The single-file store cannot start: the message names the file and what to do.</summary>
public sealed class SqliteStoreException : Exception
{
    public SqliteStoreException()
    {
    }

    public SqliteStoreException(string message)
        : base(message)
    {
    }

    public SqliteStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
