using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Storage;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The batched grain storage against the real schema (silo-config/sql, applied by the fixture): the contract every task
/// state store keeps, then batching and failures. Each store has its own service id, so the tests share the table
/// without seeing each other's rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresFixture postgres) : GrainStorageContract
{
    protected override IGrainStorage CreateStorage(string serviceId) => NewPostgresStorage(serviceId: serviceId);

    // Orleans' serializer and activators as a silo has them, without a silo.
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task Reads_writes_and_clears_of_many_grains_given_together_each_get_their_own_outcome()
    {
        await using var storage = NewPostgresStorage();
        var grains = Enumerable.Range(0, 30).Select(_ => NewGrainId()).ToArray();
        var states = grains.Select((_, i) => new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = i } }).ToArray();
        await Task.WhenAll(grains.Select((g, i) => storage.WriteStateAsync(StateName, g, states[i])));

        // Per grain, by i % 3: a read, a write, or a clear; every fifth of the writes and clears with a stale ETag.
        var reads = new GrainState<TaskGrainState>[grains.Length];
        var operations = grains.Select((g, i) =>
        {
            var stale = i % 5 == 0;
            var state = stale ? new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = -1 }, ETag = "7" } : states[i];
            switch (i % 3)
            {
                case 0:
                    reads[i] = new GrainState<TaskGrainState>();
                    return storage.ReadStateAsync(StateName, g, reads[i]);
                case 1:
                    state.State!.Attempts += stale ? 0 : 100;
                    return storage.WriteStateAsync(StateName, g, state);
                default:
                    return storage.ClearStateAsync(StateName, g, state);
            }
        }).ToArray();
        await Task.WhenAll(operations.Select(o => o.ContinueWith(_ => { }, TaskScheduler.Default)));

        for (var i = 0; i < grains.Length; i++)
        {
            var refused = i % 3 != 0 && i % 5 == 0;
            Assert.True(refused ? operations[i].Exception?.InnerException is InconsistentStateException : operations[i].IsCompletedSuccessfully, $"grain {i}");
            var read = await ReadAsync(storage, grains[i]);
            switch (i % 3)
            {
                case 0:
                    Assert.Equal(i, reads[i].State!.Attempts);
                    Assert.Equal("1", reads[i].ETag);
                    break;
                case 1:
                    Assert.Equal(refused ? i : i + 100, read.State!.Attempts);
                    Assert.Equal(refused ? "1" : "2", read.ETag);
                    break;
                default:
                    Assert.Equal(refused, read.RecordExists);
                    break;
            }
        }
    }

    [Fact]
    public async Task Two_operations_of_one_grain_given_together_run_one_after_the_other()
    {
        await using var storage = NewPostgresStorage();
        var grain = NewGrainId();
        var first = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        var second = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 2 } };

        // Both insert: whether they share a flush or not, the first one given wins and the second finds its row.
        var insert = storage.WriteStateAsync(StateName, grain, first);
        var conflicting = storage.WriteStateAsync(StateName, grain, second);
        await insert;
        await Assert.ThrowsAsync<InconsistentStateException>(() => conflicting);

        await AssertStoredAsync(storage, grain, attempts: 1, etag: "1");
    }

    [Fact]
    public async Task Two_thousand_concurrent_writes_of_different_grains_land_in_far_fewer_batches()
    {
        const int count = 2_000;
        await using var storage = NewPostgresStorage();
        var grains = Enumerable.Range(0, count).Select(_ => NewGrainId()).ToArray();

        await Task.WhenAll(grains.Select((g, i) =>
            storage.WriteStateAsync(StateName, g, new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = i } })));

        Assert.True(storage.BatchesWritten < 500, $"{count} writes took {storage.BatchesWritten} batches");
        var reads = await Task.WhenAll(grains.Select(g => ReadAsync(storage, g)));
        Assert.All(reads.Select((r, i) => (r, i)), x => Assert.Equal(x.i, x.r.State!.Attempts));
    }

    [Fact]
    public async Task An_unreachable_database_fails_with_the_driver_exception_and_a_reachable_one_works()
    {
        var closedPort = EngineProcess.FreePort();
        var unreachable = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = closedPort, Timeout = 5 }.ConnectionString;
        var serviceId = NewServiceId();
        await using var storage = NewPostgresStorage(unreachable, serviceId);
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };

        // The driver's exception as it is: the engine's wrapper (UnavailableOnFailureGrainStorage) turns it into its own.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteStateAsync(StateName, grain, state));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.ReadStateAsync(StateName, grain, new GrainState<TaskGrainState>()));
        Assert.Null(state.ETag);
        Assert.Equal(0, storage.BatchesWritten);

        await using var good = NewPostgresStorage(serviceId: serviceId);
        await good.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_operations_and_the_next_ones_try_again()
    {
        // A database without the schema: every statement fails until the schema is applied.
        var database = "grain_state_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await postgres.CreateDatabaseAsync(database);
        await using var storage = NewPostgresStorage(connectionString);
        var grains = Enumerable.Range(0, 50).Select(_ => NewGrainId()).ToArray();

        var failed = grains.Select(g => storage.WriteStateAsync(StateName, g, new GrainState<TaskGrainState> { State = new TaskGrainState() })).ToList();
        foreach (var write in failed)
        {
            await Assert.ThrowsAsync<PostgresException>(() => write);
        }

        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(connectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grains[0], state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Dispose_drains_the_queue_and_refuses_later_operations()
    {
        var serviceId = NewServiceId();
        var storage = NewPostgresStorage(serviceId: serviceId);
        var grains = Enumerable.Range(0, 100).Select(_ => NewGrainId()).ToArray();
        var writes = grains.Select(g => storage.WriteStateAsync(StateName, g, new GrainState<TaskGrainState> { State = new TaskGrainState() })).ToList();

        await storage.DisposeAsync();

        // Drained: every queued write is in the table as soon as dispose returns (its caller's continuation may still
        // be on its way, so the writes' own tasks are awaited after, not peeked at).
        await using var reader = NewPostgresStorage(serviceId: serviceId);
        var reads = await Task.WhenAll(grains.Select(g => ReadAsync(reader, g)));
        Assert.All(reads, r => Assert.True(r.RecordExists));
        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.ReadStateAsync(StateName, grains[0], new GrainState<TaskGrainState>()));
    }

    private PostgresGrainStorage NewPostgresStorage(string? connectionString = null, string? serviceId = null) =>
        new(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = connectionString ?? postgres.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = "grain-state", ServiceId = serviceId ?? NewServiceId() }),
            Serialization.GetRequiredService<Serializer>(),
            Serialization.GetRequiredService<IActivatorProvider>(),
            NullLogger<PostgresGrainStorage>.Instance);

    private static string NewServiceId() => "grain-state-" + Guid.NewGuid().ToString("N")[..12];
}
