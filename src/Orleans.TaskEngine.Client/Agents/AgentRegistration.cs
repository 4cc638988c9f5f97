namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Body of <c>POST /api/agents</c>.</summary>
internal sealed record AgentRegistration(
    string Name,
    IReadOnlyList<string> Queues,
    IReadOnlyList<string> TaskTypes,
    int Concurrency,
    IReadOnlyDictionary<string, string> Labels);
