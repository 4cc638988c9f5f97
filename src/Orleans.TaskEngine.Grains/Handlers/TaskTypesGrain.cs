using Orleans.Concurrency;

namespace Orleans.TaskEngine.Handlers;

/// <summary>Answers with this silo's registered task types; silos of one cluster register the same handlers.</summary>
[StatelessWorker]
public sealed class TaskTypesGrain(TaskHandlerRegistry registry) : Grain, ITaskTypesGrain
{
    public Task<string[]> GetTypes() => Task.FromResult(registry.Types.Order(StringComparer.Ordinal).ToArray());
}
