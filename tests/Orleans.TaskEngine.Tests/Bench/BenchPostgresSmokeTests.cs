using Npgsql;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Bench;

/// <summary>The tool on PostgreSQL: it creates the schema in an empty database and checks every task completed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BenchPostgresSmokeTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_bench_drives_the_embedded_engine_on_postgres()
    {
        var connection = await postgres.CreateDatabaseAsync("bench_" + Guid.NewGuid().ToString("N")[..12]);

        var figures = await BenchTool.RunAsync("--storage", "postgres", "--connection", connection, "--tasks", "200", "--concurrency", "16", "--warmup", "20");

        Assert.Equal("postgres", figures.GetProperty("storage").GetString());
        Assert.Equal(200, figures.GetProperty("tasks").GetInt32());
        Assert.Equal(0, figures.GetProperty("lost").GetInt32());

        // The warm-up's and the run's tasks, each finished and recorded in that database.
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM taskengine_queue_records WHERE expires_at IS NOT NULL", database);
        Assert.Equal(220L, (long)(await count.ExecuteScalarAsync())!);
    }
}
