using Orleans.Concurrency;

namespace Orleans.TaskEngine.Handlers;

/// <summary>Answers with this silo's registered task types and those its configuration lists; silos of one cluster register the same.</summary>
[StatelessWorker]
public sealed class TaskTypesGrain(TaskHandlerRegistry registry, KnownTaskTypes known) : Grain, ITaskTypesGrain
{
    public Task<string[]> GetTypes() => Task.FromResult(registry.Types.Concat(known.Configured).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());
}
