using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Agents;

public sealed partial class AgentGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} ({Name}) registered: {TaskTypes} task types, concurrency {Concurrency}")]
    private partial void LogRegistered(string agentId, string name, int taskTypes, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} deregistered; {Leases} leases left to finish")]
    private partial void LogDeregistered(string agentId, int leases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} declared dead ({Why}); {Leases} leased tasks go back to pending")]
    private partial void LogDeclaredDead(string agentId, string why, int leases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} could not leave the worker directory; its entry goes stale by itself")]
    private partial void LogLeaveFailed(Exception exception, string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId}: could not store its state {State}")]
    private partial void LogStateWriteFailed(Exception exception, string agentId, AgentState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId}: could not start task {TaskId}; it stays pending")]
    private partial void LogStartFailed(Exception exception, string agentId, string taskId);
}
