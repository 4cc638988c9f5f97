using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Agents;

namespace Orleans.TaskEngine.Handlers;

/// <summary>
/// The task types a task grain accepts: those with a handler in this silo, those listed in configuration
/// (<c>TaskEngine:TaskTypes:{type}</c>: run by agents or by other silos), and every type an agent ever declared. A type
/// that is none of those is looked up in the agent registry at once (a type declared a moment ago is known), at most
/// every 200 ms, so a stream of bad types costs one lookup per interval.
/// </summary>
public sealed class KnownTaskTypes(TaskHandlerRegistry handlers, IConfiguration configuration, IGrainFactory grains, TimeProvider time)
{
    public const string Section = "TaskEngine:TaskTypes";
    private static readonly TimeSpan MissInterval = TimeSpan.FromMilliseconds(200);
    private readonly HashSet<string> _configured = [.. configuration.GetSection(Section).GetChildren().Select(c => c.Key)];
    private HashSet<string> _declared = new(StringComparer.Ordinal);
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    /// <summary>The types configured on this silo (besides its handlers).</summary>
    public IReadOnlyCollection<string> Configured => _configured;

    public async ValueTask<bool> IsKnownAsync(string type)
    {
        if (handlers.IsRegistered(type) || _configured.Contains(type) || _declared.Contains(type))
        {
            return true;
        }

        if (time.GetUtcNow() - _readAt < MissInterval)
        {
            return false;
        }

        _readAt = time.GetUtcNow();
        var declared = await grains.GetGrain<IAgentRegistryGrain>(0).GetDeclaredTaskTypes();
        _declared = new HashSet<string>(declared, StringComparer.Ordinal);
        return _declared.Contains(type);
    }

    public IEnumerable<string> Describe() => handlers.Types.Concat(_configured).Concat(_declared).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
