using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Storage.Sqlite;

namespace Orleans.TaskEngine.Tests.Storage;

/// <summary>How the single-file store opens its file: WAL, FULL sync unless told otherwise, incremental vacuum.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskengine-sqlite-open-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task By_default_the_writer_runs_in_wal_mode_with_full_sync_on_a_file_that_can_give_pages_back()
    {
        await using var database = new SqliteDatabase(
            Options.Create(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "a.db")}" }), NullLogger<SqliteDatabase>.Instance);

        Assert.Equal("wal", await database.WriteAsync(w => (string)w.Scalar("PRAGMA journal_mode")!));
        Assert.Equal(2L, await database.WriteAsync(w => (long)w.Scalar("PRAGMA synchronous")!)); // FULL
        Assert.Equal(2L, await database.WriteAsync(w => (long)w.Scalar("PRAGMA auto_vacuum")!)); // INCREMENTAL
    }

    [Fact]
    public async Task Normal_sync_is_the_documented_option()
    {
        await using var database = Infrastructure.SqliteFileFixture.Open(Path.Combine(_folder, "b.db"), SqliteSynchronous.Normal);

        Assert.Equal(1L, await database.WriteAsync(w => (long)w.Scalar("PRAGMA synchronous")!)); // NORMAL
    }
}
