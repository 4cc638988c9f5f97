using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.TaskEngine.Persistence;

/// <summary>
/// One grain's state in a grain storage provider, read and written by direct calls to the provider.
/// Orleans' <c>IPersistentState</c> does the same but queues every operation and forces a thread-pool hop before
/// it (measured: about a tenth of a no-op task's CPU); a grain that is not reentrant needs neither.
/// </summary>
public sealed class StoredGrainState<T>(IGrainStorage storage, string stateName, GrainId grainId) : IGrainState<T>
    where T : new()
{
    // Made only when asked for: a read replaces it anyway, and a grain reads its state first.
    private T? _state;

    [AllowNull]
    public T State
    {
        get => _state ??= new T();
        set => _state = value ?? new T();
    }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    public Task ReadAsync() => storage.ReadStateAsync(stateName, grainId, this);

    public Task WriteAsync() => storage.WriteStateAsync(stateName, grainId, this);

    public Task ClearAsync() => storage.ClearStateAsync(stateName, grainId, this);
}
