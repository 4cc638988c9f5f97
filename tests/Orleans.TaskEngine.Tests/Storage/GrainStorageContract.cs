using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Storage;

/// <summary>
/// What the engine's task state stores must do, run against each: the in-process one and PostgreSQL's batched one.
/// <see cref="NewStorage"/> gives a store of its own service id, so the stores of one test do not see each other.
/// </summary>
public abstract class GrainStorageContract : DisposesWhatItCreates<IGrainStorage>
{
    protected const string StateName = "task";

    /// <summary>A new store with a service id of its own; disposed after the test if it is disposable.</summary>
    protected IGrainStorage NewStorage() => Track(CreateStorage("grain-state-" + Guid.NewGuid().ToString("N")[..12]));

    protected abstract IGrainStorage CreateStorage(string serviceId);

    [Fact]
    public async Task A_write_then_a_read_round_trip_the_state_and_the_ETag()
    {
        var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState>
        {
            State = new TaskGrainState { Attempts = 3, Status = TaskState.Running, Result = "{\"ok\":true}", WaitingOn = ["a", "b"] },
        };

        await storage.WriteStateAsync(StateName, grain, state);
        var first = state.ETag;
        Assert.NotNull(first);
        Assert.True(state.RecordExists);
        state.State.Attempts = 4;
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.NotNull(state.ETag);
        Assert.NotEqual(first, state.ETag);

        // The store kept its own copy: changing the caller's object afterwards changes nothing stored.
        state.State.Attempts = 1000;
        var read = await ReadAsync(storage, grain);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(4, read.State!.Attempts);
        Assert.Equal(TaskState.Running, read.State.Status);
        Assert.Equal("{\"ok\":true}", read.State.Result);
        Assert.Equal(["a", "b"], read.State.WaitingOn);

        // Another state name of the same grain is another record.
        var other = new GrainState<TaskGrainState>();
        await storage.ReadStateAsync("other", grain, other);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task A_read_of_a_missing_record_gives_a_new_state_no_ETag_and_no_record()
    {
        var storage = NewStorage();
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
        var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 99 }, ETag = state.ETag };
        state.State.Attempts = 2;
        await storage.WriteStateAsync(StateName, grain, state);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));
        Assert.Equal(stale.ETag, error.CurrentEtag);
        Assert.NotEqual(state.ETag, stale.ETag);

        // An ETag that is no version of this store at all is refused the same way.
        var foreign = new GrainState<TaskGrainState> { State = new TaskGrainState(), ETag = "not-a-version" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, foreign));

        await AssertStoredAsync(storage, grain, attempts: 2, etag: state.ETag);
    }

    [Fact]
    public async Task An_insert_where_a_record_exists_is_refused()
    {
        var storage = NewStorage();
        var grain = NewGrainId();
        var first = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grain, first);

        // A second activation that read nothing (ETag null) must not overwrite the first one's record.
        var second = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 50 } };
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));
        Assert.Null(error.CurrentEtag);

        await AssertStoredAsync(storage, grain, attempts: 1, etag: first.ETag);
    }

    [Fact]
    public async Task Clear_deletes_the_record_and_a_stale_clear_is_refused()
    {
        var storage = NewStorage();
        var grain = NewGrainId();
        var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<TaskGrainState> { State = new TaskGrainState(), ETag = state.ETag };
        await storage.WriteStateAsync(StateName, grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale));
        var kept = await ReadAsync(storage, grain);
        Assert.True(kept.RecordExists);

        // Without an ETag a clear is refused while a record exists.
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
        Assert.NotNull(read.ETag);
    }

    [Fact]
    public async Task Two_service_ids_are_separate()
    {
        var first = NewStorage();
        var second = NewStorage();
        var grain = NewGrainId();
        var mine = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
        await first.WriteStateAsync(StateName, grain, mine);

        var unseen = await ReadAsync(second, grain);
        Assert.False(unseen.RecordExists);

        // The same grain id inserts in the second service as if the first did not exist.
        var own = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 2 } };
        await second.WriteStateAsync(StateName, grain, own);
        Assert.NotNull(own.ETag);
        await second.ClearStateAsync(StateName, grain, own);

        await AssertStoredAsync(first, grain, attempts: 1, etag: mine.ETag);
    }

    protected static async Task<GrainState<TaskGrainState>> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<TaskGrainState>();
        await storage.ReadStateAsync(StateName, grain, state);
        return state;
    }

    protected static async Task AssertStoredAsync(IGrainStorage storage, GrainId grain, int attempts, string? etag)
    {
        var read = await ReadAsync(storage, grain);
        Assert.True(read.RecordExists);
        Assert.Equal(attempts, read.State!.Attempts);
        Assert.Equal(etag, read.ETag);
    }

    protected static GrainId NewGrainId() => GrainId.Create("task", Guid.NewGuid().ToString("N"));
}
