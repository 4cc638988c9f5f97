using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.TaskEngine.Silo.Storage;

/// <summary>
/// Grain storage in this process's memory: the embedded mode's store. Orleans' memory storage serializes every
/// write to JSON and sends it to a storage grain; this one deep-copies with the Orleans copier and checks ETags
/// like a real store, at a fraction of the cost. The data lives outside any silo, keyed by service id, so several
/// silos of one test process share it and it outlives a silo that is killed (the tests' failover runs on it).
/// It does not survive the process.
/// </summary>
public sealed class InProcessGrainStorage(DeepCopier copier, IOptions<ClusterOptions> cluster) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (object State, string ETag)>> Services = new();

    private ConcurrentDictionary<string, (object State, string ETag)> Store => Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Store.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        lock (Store)
        {
            var exists = Store.TryGetValue(key, out var stored);
            if ((exists ? stored.ETag : null) != grainState.ETag)
            {
                throw new InconsistentStateException($"ETag mismatch for {key}", exists ? stored.ETag : null, grainState.ETag);
            }

            Store[key] = (copier.Copy(grainState.State)!, etag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Store.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";
}
