using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Persistence;

/// <summary>
/// Wraps the real grain storage so that a database failure leaves a grain as <see cref="TaskEngineUnavailableException"/>:
/// a driver's exception (e.g. Npgsql's PostgresException) has no Orleans codec, so if it crossed a grain call the
/// caller would get a CodecNotFoundException instead of the reason. This covers the read at activation too, which
/// no grain code can catch. Version conflicts stay <see cref="InconsistentStateException"/>: they are Orleans' own.
/// The inner exception is logged here, not attached, for the same codec reason.
/// </summary>
public sealed partial class UnavailableOnFailureGrainStorage(IGrainStorage inner, string name, ILogger<UnavailableOnFailureGrainStorage> logger) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("read", stateName, grainId, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("write", stateName, grainId, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("clear", stateName, grainId, () => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task GuardAsync(string operation, string stateName, GrainId grainId, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not (InconsistentStateException or TaskEngineUnavailableException or OperationCanceledException))
        {
            LogStorageFailed(ex, operation, name, stateName, grainId);
            throw new TaskEngineUnavailableException(
                $"The task store is unavailable: could not {operation} the state of {grainId} ({ex.GetType().Name}: {ex.Message}). {Outcome(operation)}");
        }
    }

    // A failed read changed nothing; a failed write or removal may have committed before the connection failed.
    private static string Outcome(string operation) =>
        operation == "read" ? "Nothing was changed; try again." : "Whether it was stored is unknown.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider} failed to {Operation} state {StateName} of {GrainId}")]
    private partial void LogStorageFailed(Exception exception, string operation, string provider, string stateName, GrainId grainId);
}
