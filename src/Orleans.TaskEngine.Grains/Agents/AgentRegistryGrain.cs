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
/// <see cref="AgentOptions.DeadAgentRetention"/>. Written only when an agent registers or changes state.
/// </summary>
public sealed class AgentRegistryGrain : Grain, IAgentRegistryGrain
{
    private readonly StoredGrainState<AgentRegistryGrainState> _state;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;

    public AgentRegistryGrain([FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, IOptions<AgentOptions> options, TimeProvider time)
    {
        _state = new StoredGrainState<AgentRegistryGrainState>(storage, "agent-registry", this.GetGrainId());
        _options = options.Value;
        _time = time;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _state.ReadAsync();

    public async Task Add(string agentId, IReadOnlyList<string> taskTypes)
    {
        ArgumentNullException.ThrowIfNull(taskTypes);
        _state.State.Agents[agentId] = new AgentRegistryEntry { State = AgentState.Active, Since = _time.GetUtcNow() };
        _state.State.TaskTypes.UnionWith(taskTypes);
        await WriteAsync();
    }

    public async Task Update(string agentId, AgentState state)
    {
        if (_state.State.Agents.TryGetValue(agentId, out var known) && known.State == state)
        {
            return;
        }

        _state.State.Agents[agentId] = new AgentRegistryEntry { State = state, Since = _time.GetUtcNow() };
        await WriteAsync();
    }

    public Task<string[]> GetAgentIds() => Task.FromResult(_state.State.Agents.Keys.Order(StringComparer.Ordinal).ToArray());

    public Task<string[]> GetDeclaredTaskTypes() => Task.FromResult(_state.State.TaskTypes.Order(StringComparer.Ordinal).ToArray());

    private async Task WriteAsync()
    {
        var forgetBefore = _time.GetUtcNow() - _options.DeadAgentRetention;
        foreach (var (id, entry) in _state.State.Agents.Where(a => a.Value.State == AgentState.Dead && a.Value.Since < forgetBefore).ToList())
        {
            _state.State.Agents.Remove(id);
        }

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
