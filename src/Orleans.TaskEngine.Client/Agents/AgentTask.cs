using System.Text.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Client.Agents;

/// <summary>A task leased to this agent: what to run, and the lease token its reports must carry.</summary>
public sealed class AgentTask
{
    private readonly TaskEngineAgent _agent;

    internal AgentTask(LeasedTask leased, TaskEngineAgent agent)
    {
        Id = leased.Id;
        Type = leased.Type;
        Payload = leased.Payload;
        Attempt = leased.Attempt;
        LeaseToken = leased.LeaseToken;
        LeaseExpiresAt = leased.LeaseExpiresAt;
        TimeoutSeconds = leased.TimeoutSeconds;
        Priority = leased.Priority;
        Queue = leased.Queue;
        _agent = agent;
    }

    public string Id { get; }
    public string Type { get; }
    public JsonElement Payload { get; }
    public int Attempt { get; }
    public string LeaseToken { get; }

    /// <summary>When the lease ended as of the poll; the agent's heartbeats extend it while the task runs.</summary>
    public DateTimeOffset LeaseExpiresAt { get; }

    public int TimeoutSeconds { get; }
    public TaskPriority Priority { get; }
    public string Queue { get; }

    /// <summary>The payload as <typeparamref name="T"/>, with the API's JSON conventions (camelCase).</summary>
    public T? PayloadAs<T>() => Payload.Deserialize<T>(TaskEngineJson.Options);

    /// <summary>
    /// Reports progress. Best effort: a failed report is logged, not thrown. If the server answers that the lease is
    /// stale, the task's cancellation token fires, since its result would be refused anyway.
    /// </summary>
    public Task ReportProgressAsync(double? percent, string? message, CancellationToken cancellationToken = default) =>
        _agent.ReportProgressAsync(this, percent, message, cancellationToken);
}
