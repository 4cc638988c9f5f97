using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TaskEngine.Storage.Database;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL server per test collection, with the engine's schema applied once. Tests that need an
/// empty database make their own with <see cref="CreateDatabaseAsync"/>; tests that share the schema keep apart by
/// ServiceId/ClusterId.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionString;

    // The fixture's own statements open a fresh connection each: a test restarts the server, which would leave pooled ones dead.
    private string UnpooledConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(ConnectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Creates an empty database on the server and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(UnpooledConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(UnpooledConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
