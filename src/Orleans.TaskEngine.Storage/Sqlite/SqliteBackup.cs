using Microsoft.Data.Sqlite;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// A consistent copy of a task database, taken from another process while the engine runs: a read-only connection
/// (WAL lets it read beside the writer) runs <c>VACUUM INTO</c>, which copies one snapshot into a new, compact file.
/// </summary>
public sealed class SqliteBackup(string databaseFile)
{
    public Task RunAsync(string destination, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(databaseFile))
        {
            throw new SqliteStoreException($"There is no task database at {databaseFile} to back up.");
        }

        if (File.Exists(destination))
        {
            throw new IOException($"The backup file {destination} exists already; name a new one.");
        }

        return Task.Run(
            () =>
            {
                var source = new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
                using var connection = new SqliteConnection(source.ConnectionString);
                connection.Open();
                SqliteFile.VacuumInto(connection, destination);
            },
            cancellationToken);
    }
}
