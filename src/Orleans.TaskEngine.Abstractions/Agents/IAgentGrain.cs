using Orleans.Concurrency;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// One agent: a worker outside the cluster that registers over HTTP (key: the agent id, <c>agent-…</c>). It holds the
/// agent's registration (durable), its slots, the tasks offered to it and its leases; to the schedulers it is a worker
/// like any other. Calls on an agent that is unknown or dead throw <see cref="AgentNotFoundException"/>.
/// </summary>
public interface IAgentGrain : ITaskRunnerGrain
{
    /// <summary>Stores the registration and makes the agent schedulable at once (pushed to its queues' schedulers).</summary>
    Task<AgentRegistered> Register(AgentRegistration registration);

    /// <summary>Extends every lease the agent holds; answers with the tasks cancelled since (or still cancelled).</summary>
    [AlwaysInterleave]
    Task<AgentHeartbeatResult> Heartbeat(AgentHeartbeat heartbeat);

    /// <summary>
    /// Waits up to <paramref name="wait"/> for tasks to run (up to the agent's free slots) and starts them on the agent:
    /// each comes with a lease. Callers slice long polls into calls well under the grain call timeout.
    /// </summary>
    [AlwaysInterleave]
    Task<AgentPollResult> Poll(TimeSpan wait);

    /// <summary>A scheduler offers tasks of <paramref name="queue"/>, in order; the agent takes them up to its free slots.</summary>
    Task<AssignResult> Offer(string queue, QueueEntry[] entries);

    /// <summary>The agent reports how a leased attempt ended, or its progress (see <see cref="AgentReport"/>).</summary>
    [AlwaysInterleave]
    Task<AgentReportResult> Report(AgentReport report);

    /// <summary>No new work; running leases finish or expire. Gone from the schedulers' view at once.</summary>
    Task Deregister(string? actor = null);

    [AlwaysInterleave]
    Task<AgentStatus> GetStatus();
}
