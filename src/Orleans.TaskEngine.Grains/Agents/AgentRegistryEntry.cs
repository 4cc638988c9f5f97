namespace Orleans.TaskEngine.Agents;

[GenerateSerializer, Immutable]
public sealed record AgentRegistryEntry
{
    [Id(0)] public AgentState State { get; init; }
    [Id(1)] public DateTimeOffset Since { get; init; }
}
