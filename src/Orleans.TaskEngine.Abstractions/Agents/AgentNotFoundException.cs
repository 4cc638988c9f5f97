namespace Orleans.TaskEngine.Agents;

/// <summary>The agent is unknown or was declared dead: it must register again (HTTP 404).</summary>
[GenerateSerializer]
public sealed class AgentNotFoundException : Exception
{
    public AgentNotFoundException()
    {
    }

    public AgentNotFoundException(string message) : base(message)
    {
    }

    public AgentNotFoundException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
