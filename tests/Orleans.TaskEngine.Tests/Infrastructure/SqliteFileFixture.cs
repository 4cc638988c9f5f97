using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Storage.Sqlite;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// One SQLite file in a temporary folder for a test class (a class fixture): as on PostgreSQL, the tests of the class
/// share the database and keep apart by service id. Deleted with its folder afterwards.
/// </summary>
public sealed class SqliteFileFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "taskengine-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    public string FilePath => Path.Combine(Directory, "taskengine.db");

    public SqliteDatabase Database { get; private set; } = null!;

    public static SqliteDatabase Open(string path, SqliteSynchronous synchronous = SqliteSynchronous.Full) =>
        new(Options.Create(new SqliteStoreOptions { ConnectionString = $"Data Source={path}", Synchronous = synchronous }), NullLogger<SqliteDatabase>.Instance);

    public Task InitializeAsync()
    {
        Database = Open(FilePath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the temporary folder is the system's to clean.
        }
    }
}
