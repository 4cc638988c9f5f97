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

    private static async Task GuardAsync(StoreOperation operation, GrainId grainId, object? state, Func<Task> action)
    {
        var fault = StoreFaults.Take(operation, grainId.Key.ToString()!, state);
        if (fault == FaultKind.FailBefore)
        {
            throw new TaskEngineUnavailableException($"The task store is unavailable (injected: {operation} of {grainId} refused).");
        }

        await action();
        if (fault == FaultKind.CommitThenFail)
        {
            throw new TaskEngineUnavailableException($"The task store is unavailable (injected: {operation} of {grainId} committed, then the call failed).");
        }
    }
}
