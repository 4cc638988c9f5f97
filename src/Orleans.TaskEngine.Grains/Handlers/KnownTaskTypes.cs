using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Agents;

namespace Orleans.TaskEngine.Handlers;

/// <summary>
/// The task types a task grain accepts: those with a handler in this silo, those listed in configuration
/// (<c>TaskEngine:TaskTypes:{type}</c>: run by agents or by other silos), and every type an agent ever declared. A type
/// that is none of those is looked up in the agent registry at once, so a type declared a moment ago is known. (The API
/// refuses unknown types before they reach a grain; this check is for callers that submit through the cluster client.)
/// </summary>
public sealed class KnownTaskTypes(TaskHandlerRegistry handlers, IConfiguration configuration, IGrainFactory grains)
{
    public const string Section = "TaskEngine:TaskTypes";
    private readonly HashSet<string> _configured = [.. configuration.GetSection(Section).GetChildren().Select(c => c.Key)];
    private HashSet<string> _declared = new(StringComparer.Ordinal);

    /// <summary>The types configured on this silo (besides its handlers).</summary>
    public IReadOnlyCollection<string> Configured => _configured;

    public async ValueTask<bool> IsKnownAsync(string type)
    {
        if (handlers.IsRegistered(type) || _configured.Contains(type) || _declared.Contains(type))
        {
            return true;
        }

        var declared = await grains.GetGrain<IAgentRegistryGrain>(0).GetDeclaredTaskTypes();
        _declared = new HashSet<string>(declared, StringComparer.Ordinal);
        return _declared.Contains(type);
    }

    public IEnumerable<string> Describe() => handlers.Types.Concat(_configured).Concat(_declared).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
