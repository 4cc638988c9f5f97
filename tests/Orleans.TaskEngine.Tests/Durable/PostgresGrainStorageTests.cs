using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.Silo.Database;
using Orleans.TaskEngine.Silo.Hosting;
using Orleans.TaskEngine.Silo.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The batched grain storage against the real schema (silo-config/sql, applied by the fixture). Each test has its own
/// service id, so the tests share the table without seeing each other's rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresFixture postgres)
{
    private const string StateName = "task";

    // Orleans' serializer and activators as a silo has them, without a silo.
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task A_write_then_a_read_round_trip_the_state_and_the_ETag()
    {
        await using var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState>
        {
            State = new TaskGrainState { Attempts = 3, Status = TaskState.Running, Result = "{\"ok\":true}", WaitingOn = ["a", "b"] },
        };

        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);
        state.State.Attempts = 4;
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("2", state.ETag);

        var read = await ReadAsync(storage, grain);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(4, read.State!.Attempts);
        Assert.Equal(TaskState.Running, read.State.Status);
        Assert.Equal("{\"ok\":true}", read.State.Result);
        Assert.Equal(["a", "b"], read.State.WaitingOn);

        // Another state name of the same grain is another row.
        var other = new GrainState<TaskGrainState>();
        await storage.ReadStateAsync("other", grain, other);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task A_read_of_a_missing_row_gives_a_new_state_no_ETag_and_no_record()
    {
        await using var storage = NewStorage();
        var read = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 7 }, ETag = "5", RecordExists = true };

        await storage.ReadStateAsync(StateName, NewGrainId(), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.NotNull(read.State);
        Assert.Equal(0, read.State.Attempts);
    }

    [Fact]
    public async Task A_write_with_a_stale_ETag_is_refused_and_leaves_the_stored_state()
    {
        await using var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 99 }, ETag = state.ETag };
        state.State.Attempts = 2;
        await storage.WriteStateAsync(StateName, grain, state);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));
        Assert.Equal("1", error.CurrentEtag);
        Assert.Equal("1", stale.ETag);

        // An ETag that is no version of this store at all is refused the same way.
        var foreign = new GrainState<TaskGrainState> { State = new TaskGrainState(), ETag = "not-a-version" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, foreign));

        await AssertStoredAsync(storage, grain, attempts: 2, etag: "2");
    }

    [Fact]
    public async Task An_insert_where_a_row_exists_is_refused()
    {
        await using var storage = NewStorage();
        var grain = NewGrainId();
        await storage.WriteStateAsync(StateName, grain, new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } });

        // A second activation that read nothing (ETag null) must not overwrite the first one's row.
        var second = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 50 } };
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));
        Assert.Null(error.CurrentEtag);

        await AssertStoredAsync(storage, grain, attempts: 1, etag: "1");
    }

    [Fact]
    public async Task Clear_deletes_the_row_and_a_stale_clear_is_refused()
    {
        await using var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<TaskGrainState> { State = new TaskGrainState(), ETag = state.ETag };
        await storage.WriteStateAsync(StateName, grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale));
        var kept = await ReadAsync(storage, grain);
        Assert.True(kept.RecordExists);

        // Without an ETag a clear is refused while a row exists.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, new GrainState<TaskGrainState>()));

        await storage.ClearStateAsync(StateName, grain, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State.Attempts);

        var read = await ReadAsync(storage, grain);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);

        // Nothing to clear, nothing expected: done. And the grain can start over with an insert.
        await storage.ClearStateAsync(StateName, grain, read);
        await storage.WriteStateAsync(StateName, grain, read);
        Assert.Equal("1", read.ETag);
    }

    [Fact]
    public async Task Two_service_ids_are_separate()
    {
        await using var first = NewStorage();
        await using var second = NewStorage();
        var grain = NewGrainId();
        await first.WriteStateAsync(StateName, grain, new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } });

        var unseen = await ReadAsync(second, grain);
        Assert.False(unseen.RecordExists);

        // The same grain id inserts in the second service as if the first did not exist.
        var own = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 2 } };
        await second.WriteStateAsync(StateName, grain, own);
        Assert.Equal("1", own.ETag);
        await second.ClearStateAsync(StateName, grain, own);

        await AssertStoredAsync(first, grain, attempts: 1, etag: "1");
    }

    [Fact]
    public async Task Reads_writes_and_clears_of_many_grains_given_together_each_get_their_own_outcome()
    {
        await using var storage = NewStorage();
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
        await using var storage = NewStorage();
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
        await using var storage = NewStorage();
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
        await using var storage = NewStorage(unreachable, serviceId);
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };

        // The driver's exception as it is: the engine's wrapper (UnavailableOnFailureGrainStorage) turns it into its own.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteStateAsync(StateName, grain, state));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.ReadStateAsync(StateName, grain, new GrainState<TaskGrainState>()));
        Assert.Null(state.ETag);
        Assert.Equal(0, storage.BatchesWritten);

        await using var good = NewStorage(serviceId: serviceId);
        await good.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_operations_and_the_next_ones_try_again()
    {
        // A database without the schema: every statement fails until the schema is applied.
        var database = "grain_state_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await postgres.CreateDatabaseAsync(database);
        await using var storage = NewStorage(connectionString);
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
        var storage = NewStorage(serviceId: serviceId);
        var grains = Enumerable.Range(0, 100).Select(_ => NewGrainId()).ToArray();
        var writes = grains.Select(g => storage.WriteStateAsync(StateName, g, new GrainState<TaskGrainState> { State = new TaskGrainState() })).ToList();

        await storage.DisposeAsync();

        // Drained: every queued write is in the table as soon as dispose returns (its caller's continuation may still
        // be on its way, so the writes' own tasks are awaited after, not peeked at).
        await using var reader = NewStorage(serviceId: serviceId);
        var reads = await Task.WhenAll(grains.Select(g => ReadAsync(reader, g)));
        Assert.All(reads, r => Assert.True(r.RecordExists));
        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.ReadStateAsync(StateName, grains[0], new GrainState<TaskGrainState>()));
    }

    private PostgresGrainStorage NewStorage(string? connectionString = null, string? serviceId = null) =>
        new(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = connectionString ?? postgres.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = "grain-state", ServiceId = serviceId ?? NewServiceId() }),
            Serialization.GetRequiredService<Serializer>(),
            Serialization.GetRequiredService<IActivatorProvider>(),
            NullLogger<PostgresGrainStorage>.Instance);

    private static async Task<GrainState<TaskGrainState>> ReadAsync(PostgresGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<TaskGrainState>();
        await storage.ReadStateAsync(StateName, grain, state);
        return state;
    }

    private static async Task AssertStoredAsync(PostgresGrainStorage storage, GrainId grain, int attempts, string etag)
    {
        var read = await ReadAsync(storage, grain);
        Assert.True(read.RecordExists);
        Assert.Equal(attempts, read.State!.Attempts);
        Assert.Equal(etag, read.ETag);
    }

    private static string NewServiceId() => "grain-state-" + Guid.NewGuid().ToString("N")[..12];

    private static GrainId NewGrainId() => GrainId.Create("task", Guid.NewGuid().ToString("N"));
}
