using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>
/// Grain storage that fails the operations <see cref="StoreFaults"/> says, before or after carrying them out. It throws
/// <see cref="TaskEngineUnavailableException"/>, as the engine's storage wrapper does for a database failure.
/// </summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(StoreOperation.StateWrite, grainId, grainState.State, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(StoreOperation.StateClear, grainId, grainState.State, () => inner.ClearStateAsync(stateName, grainId, grainState));

    private static Task GuardAsync(StoreOperation operation, GrainId grainId, object? state, Func<Task> action) =>
        StoreFaults.RunAsync(operation, grainId.Key.ToString()!, state, action, m => new TaskEngineUnavailableException($"The task store is unavailable ({m})."));
}
