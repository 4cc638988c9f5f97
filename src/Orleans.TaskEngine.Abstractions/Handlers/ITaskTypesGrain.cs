using Orleans.Concurrency;

namespace Orleans.TaskEngine.Handlers;

/// <summary>The task types the silos can run (a stateless worker: answered by the silo it lands on).</summary>
public interface ITaskTypesGrain : IGrainWithIntegerKey
{
    [AlwaysInterleave]
    Task<string[]> GetTypes();
}
