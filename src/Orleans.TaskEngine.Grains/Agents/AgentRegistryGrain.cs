using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// The agents the cluster knows, and every task type one ever declared (durable: a submit of such a type is accepted
/// even while no agent that runs it is live, and waits for one). Dead agents are forgotten after
/// <see cref="AgentOptions.DeadAgentRetention"/>. Written only when an agent registers or changes state, with that
/// change's audit event: the agents' audit log is stored in the same write as what it records.
/// </summary>
public sealed class AgentRegistryGrain : Grain, IAgentRegistryGrain
{
    /// <summary>The most audit events kept, the oldest going first (registrations are rare; this bounds the state).</summary>
    internal const int MaxAuditEvents = 10_000;

    private readonly StoredGrainState<AgentRegistryGrainState> _state;
    private readonly AgentOptions _options;
    private readonly HistoryOptions _history;
    private readonly TimeProvider _time;

    public AgentRegistryGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, IOptions<AgentOptions> options, IOptions<HistoryOptions> history, TimeProvider time)
    {
        _state = new StoredGrainState<AgentRegistryGrainState>(storage, "agent-registry", this.GetGrainId());
        _options = options.Value;
        _history = history.Value;
        _time = time;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _state.ReadAsync();

    public async Task Add(string agentId, IReadOnlyList<string> taskTypes, AgentAuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(taskTypes);
        _state.State.Agents[agentId] = new AgentRegistryEntry { State = AgentState.Active, Since = _time.GetUtcNow() };
        _state.State.TaskTypes.UnionWith(taskTypes);
        Log(audit);
        await WriteAsync();
    }

    public async Task Update(string agentId, AgentState state, AgentAuditEvent? audit = null)
    {
        if (_state.State.Agents.TryGetValue(agentId, out var known) && known.State == state)
        {
            return;
        }

        _state.State.Agents[agentId] = new AgentRegistryEntry { State = state, Since = _time.GetUtcNow() };
        if (audit is not null)
        {
            Log(audit);
        }

        await WriteAsync();
    }

    public Task<AgentAuditEvent[]> GetEvents(string? agentId, int limit) =>
        Task.FromResult(Enumerable.Reverse(_state.State.Events).Where(e => agentId is null || e.AgentId == agentId).Take(Math.Max(0, limit)).ToArray());

    private void Log(AgentAuditEvent audit) =>
        _state.State.Events.Add(audit with { Sequence = ++_state.State.LastSequence, At = _time.GetUtcNow() });

    public Task<string[]> GetAgentIds() => Task.FromResult(_state.State.Agents.Keys.Order(StringComparer.Ordinal).ToArray());

    public Task<string[]> GetDeclaredTaskTypes() => Task.FromResult(_state.State.TaskTypes.Order(StringComparer.Ordinal).ToArray());

    private async Task WriteAsync()
    {
        var forgetBefore = _time.GetUtcNow() - _options.DeadAgentRetention;
        foreach (var (id, entry) in _state.State.Agents.Where(a => a.Value.State == AgentState.Dead && a.Value.Since < forgetBefore).ToList())
        {
            _state.State.Agents.Remove(id);
        }

        // The log is purged as the tasks' one is: past the history's retention, and past its bound.
        var purgeBefore = _time.GetUtcNow() - _history.Retention;
        var events = _state.State.Events;
        var drop = Math.Max(events.Count - MaxAuditEvents, events.FindIndex(e => e.At >= purgeBefore) is var i and >= 0 ? i : events.Count);
        events.RemoveRange(0, Math.Min(drop, events.Count));

        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex) when (ex is not TaskEngineUnavailableException)
        {
            throw new TaskEngineUnavailableException($"The agent registry could not be stored ({ex.GetType().Name}: {ex.Message}).");
        }
    }
}
