using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Agents: workers outside the cluster that register over HTTP (section <c>TaskEngine:Agents</c>).</summary>
public sealed class AgentOptions : IValidatableObject
{
    public const string Section = "TaskEngine:Agents";

    /// <summary>How often an agent is told to heartbeat.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>
    /// How long a lease lasts without a heartbeat; an agent silent this long is declared dead and its tasks run elsewhere.
    /// Three heartbeats by default, so one or two lost heartbeats cost nothing.
    /// </summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 15;

    /// <summary>The most tasks one agent may run at once (its registered <c>concurrency</c>).</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>The most queues one agent may serve.</summary>
    [Range(1, 1_000)]
    public int MaxQueues { get; set; } = 32;

    /// <summary>The most task types one agent may declare.</summary>
    [Range(1, 10_000)]
    public int MaxTaskTypes { get; set; } = 256;

    /// <summary>How long a dead agent stays listed in <c>GET /api/agents</c>.</summary>
    public TimeSpan DeadAgentRetention { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseSeconds <= HeartbeatSeconds)
        {
            yield return new ValidationResult(
                $"TaskEngine:Agents:LeaseSeconds ({LeaseSeconds}) must be longer than HeartbeatSeconds ({HeartbeatSeconds}): a lease would expire between two heartbeats.",
                [nameof(LeaseSeconds)]);
        }

        if (DeadAgentRetention < TimeSpan.Zero)
        {
            yield return new ValidationResult("TaskEngine:Agents:DeadAgentRetention must not be negative.", [nameof(DeadAgentRetention)]);
        }
    }
}
