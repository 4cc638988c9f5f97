using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// Grain storage in this process's memory: the embedded mode's store. Orleans' memory storage serializes every
/// write to JSON and sends it to a storage grain; this one keeps each state as Orleans' binary serialization and
/// checks ETags like a real store, at a fraction of the cost. Bytes rather than object copies because a finished
/// task is kept for the whole retention: one array per task is nothing for the garbage collector to trace, a copied
/// object graph is dozens of objects that every collection promotes (measured: the REST submit tail at 500/s was
/// those pauses). The data lives outside any silo, keyed by service id, so several silos of one test process share
/// it and it outlives a silo that is killed (the tests' failover runs on it). It does not survive the process.
/// </summary>
public sealed class InProcessGrainStorage(Serializer serializer, IOptions<ClusterOptions> cluster, InProcessTaskHistory? history = null) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<StateKey, StoredState>> Services = new();

    // ETags need only differ from every earlier one: a counter is as good as a GUID and cheaper to make.
    private static long _lastETag;

    private ConcurrentDictionary<StateKey, StoredState> Store => Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Store.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Bytes);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            Reset(grainState);
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var written = new StoredState(serializer.SerializeToArray(grainState.State), Interlocked.Increment(ref _lastETag).ToString(CultureInfo.InvariantCulture));

        // Compare-and-swap on the one entry: no lock shared by all grains.
        var swapped = grainState.ETag is null
            ? Store.TryAdd(key, written)
            : Store.TryGetValue(key, out var stored) && stored.ETag == grainState.ETag && Store.TryUpdate(key, written, stored);
        if (!swapped)
        {
            var current = Store.TryGetValue(key, out var now) ? now.ETag : null;
            throw new InconsistentStateException($"ETag mismatch for {key}", current, grainState.ETag);
        }

        grainState.ETag = written.ETag;
        grainState.RecordExists = true;

        // The audit log, in the same call: once the state is stored, its events are in the log.
        if (history is { Enabled: true } && TaskAuditProjection.Project(stateName, grainId.Key.ToString()!, grainState.State) is { } rows)
        {
            history.Record(rows);
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // As a write: the entry goes only at the ETag the caller read; with none, there must be no entry.
        var key = Key(stateName, grainId);
        var exists = Store.TryGetValue(key, out var stored);
        var cleared = grainState.ETag is null
            ? !exists
            : exists && stored!.ETag == grainState.ETag && Store.TryRemove(new KeyValuePair<StateKey, StoredState>(key, stored));
        if (!cleared)
        {
            var current = Store.TryGetValue(key, out var now) ? now.ETag : null;
            throw new InconsistentStateException($"ETag mismatch for {key}", current, grainState.ETag);
        }

        Reset(grainState);
        return Task.CompletedTask;
    }

    private static void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static StateKey Key(string stateName, GrainId grainId) => new(stateName, grainId);

    /// <summary>The key of one stored state: a struct, so a lookup builds no string.</summary>
    private readonly record struct StateKey(string StateName, GrainId GrainId)
    {
        public override string ToString() => $"{StateName}/{GrainId}";
    }

    /// <summary>One stored state: its serialized bytes and the ETag a write must present to replace it.</summary>
    private sealed record StoredState(byte[] Bytes, string ETag);
}
