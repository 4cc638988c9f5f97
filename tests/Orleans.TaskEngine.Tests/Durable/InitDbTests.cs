using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

[Collection(PostgresCollection.Name)]
public sealed class InitDbTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Init_db_creates_the_schema_on_an_empty_database_and_running_it_again_keeps_the_data()
    {
        var database = "initdb_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await postgres.CreateDatabaseAsync(database);
        string[] args = [$"--ConnectionStrings:TaskEngine={connectionString}"];

        var (first, firstOut, firstErr) = await RunAsync(args);
        Assert.True(first == 0, firstErr);
        Assert.Contains("schema created", firstOut, StringComparison.Ordinal);
        foreach (var script in new[] { "001-orleans-query.sql", "010-orleans-clustering.sql", "020-orleans-persistence.sql", "030-orleans-reminders.sql", "100-taskengine.sql", "110-taskengine-grain-state.sql" })
        {
            Assert.Contains($"applied {script}", firstOut, StringComparison.Ordinal);
        }

        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO orleans_reminders VALUES ('svc', 'g/1', 'r', now(), 60000, 1, 0)", connection);
            await insert.ExecuteNonQueryAsync();
        }

        var (second, secondOut, secondErr) = await RunAsync(args);
        Assert.True(second == 0, secondErr);
        Assert.Contains("schema was there already", secondOut, StringComparison.Ordinal);
        Assert.Contains("21 provider queries", secondOut, StringComparison.Ordinal);

        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orleans_reminders", connection);
            Assert.Equal(1L, await count.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Init_db_without_a_connection_string_fails_naming_the_variable_to_set()
    {
        var (code, _, error) = await RunAsync([]);
        Assert.Equal(1, code);
        Assert.Contains("ConnectionStrings__TaskEngine", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_db_against_a_database_that_does_not_exist_fails_with_exit_code_1()
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "no_such_db" }.ConnectionString;
        var (code, _, error) = await RunAsync([$"--ConnectionStrings:TaskEngine={connectionString}"]);
        Assert.Equal(1, code);
        Assert.Contains("no_such_db", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await InitDbCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
