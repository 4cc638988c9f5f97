using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Scheduling;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The PostgreSQL queue index against the real schema (silo-config/sql, applied by the fixture): the contract every
/// index keeps, then batching and failures. Each index has its own service id, so the tests share the table without
/// seeing each other's records.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueIndexTests(PostgresFixture postgres) : QueueIndexContract
{
    protected override IQueueIndex CreateIndex() => NewPostgresIndex();

    [Fact]
    public async Task Two_thousand_concurrent_saves_all_land_in_far_fewer_batches()
    {
        const int count = 2_000;
        await using var index = NewPostgresIndex();

        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            index.SaveAsync(Unfinished($"t{i:D5}", "bulk", (TaskPriority)(i % 4), i))));

        var entries = await index.LoadUnfinishedAsync("bulk");
        Assert.Equal(count, entries.Count);
        Assert.Equal(count, entries.Select(e => e.TaskId).Distinct().Count());
        Assert.True(index.BatchesWritten < 500, $"{count} saves took {index.BatchesWritten} batches");
    }

    [Fact]
    public async Task An_unreachable_database_fails_writes_and_reads_with_TaskEngineUnavailableException()
    {
        var closedPort = EngineProcess.FreePort();
        var unreachable = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = closedPort, Timeout = 5 }.ConnectionString;
        await using var index = NewPostgresIndex(unreachable);

        var write = await Assert.ThrowsAsync<TaskEngineUnavailableException>(
            () => index.SaveAsync(Unfinished("t1", "q", TaskPriority.Normal, 1)));
        Assert.Contains("queue index is unavailable", write.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => index.LoadUnfinishedAsync("q"));
        Assert.Contains("queue index is unavailable", read.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.BatchesWritten);

        await using var good = NewPostgresIndex();
        await good.SaveAsync(Unfinished("t1", "q", TaskPriority.Normal, 1));
        Assert.Single(await good.LoadUnfinishedAsync("q"));
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_operations_and_the_next_ones_try_again()
    {
        // A database without the schema: every statement fails until the schema is applied.
        var database = "queue_index_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await postgres.CreateDatabaseAsync(database);
        await using var index = NewPostgresIndex(connectionString);

        var failed = Enumerable.Range(0, 50).Select(i => index.SaveAsync(Unfinished($"t{i}", "q", TaskPriority.Normal, i))).ToList();
        foreach (var save in failed)
        {
            var error = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => save);
            Assert.Contains("PostgresException", error.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => index.LoadQueuesAsync());

        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(connectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
        await index.SaveAsync(Unfinished("after", "q", TaskPriority.Normal, 1));
        Assert.Equal(["after"], (await index.LoadUnfinishedAsync("q")).Select(e => e.TaskId));
    }

    [Fact]
    public async Task A_cancelled_wait_cancels_the_caller_only_and_dispose_drains_the_queue()
    {
        var serviceId = NewServiceId();
        var index = NewPostgresIndex(serviceId: serviceId);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.SaveAsync(Unfinished("never", "q", TaskPriority.Normal, 1), cancelled.Token));

        var saves = Enumerable.Range(0, 100).Select(i => index.SaveAsync(Unfinished($"t{i}", "q", TaskPriority.Normal, i))).ToList();
        await index.DisposeAsync();

        // Drained: every queued save is in the table as soon as dispose returns.
        await using var reader = NewPostgresIndex(serviceId: serviceId);
        Assert.Equal(100, (await reader.LoadUnfinishedAsync("q")).Count);
        await Task.WhenAll(saves);
        await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => index.SaveAsync(Unfinished("late", "q", TaskPriority.Normal, 1)));
    }

    private PostgresQueueIndex NewPostgresIndex(string? connectionString = null, string? serviceId = null) =>
        new(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = connectionString ?? postgres.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = "queue-index", ServiceId = serviceId ?? NewServiceId() }),
            NullLogger<PostgresQueueIndex>.Instance);

    private static string NewServiceId() => "queue-index-" + Guid.NewGuid().ToString("N")[..12];

}
