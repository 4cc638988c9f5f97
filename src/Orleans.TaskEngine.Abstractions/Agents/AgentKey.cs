namespace Orleans.TaskEngine.Agents;

/// <summary>Agent ids, <c>agent-{32 hex}</c>: made by the engine, never chosen by the agent, and told apart from worker keys.</summary>
public static class AgentKey
{
    public const string Prefix = "agent-";

    public static string Create() => Prefix + Guid.CreateVersion7().ToString("N");

    public static bool IsAgent(string workerId) => workerId.StartsWith(Prefix, StringComparison.Ordinal);
}
