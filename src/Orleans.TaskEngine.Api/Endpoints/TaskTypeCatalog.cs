using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Handlers;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// The task types a submit may name: those with an in-silo handler or listed in the silos' configuration
/// (<c>TaskEngine:TaskTypes:{type}</c>; both from <see cref="ITaskTypesGrain"/>), and every type an agent ever declared. Known types are cached (a type never
/// stops being known); a type not in the cache is looked up in the cluster at once, so a type an agent declared a moment
/// ago is accepted without waiting for a refresh. Concurrent misses share one lookup.
/// </summary>
public sealed class TaskTypeCatalog(IGrainFactory grains, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private string[] _types = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _readAt > Freshness || _types.Length == 0)
        {
            await ReadAsync(cancellationToken);
        }

        return _types;
    }

    public async Task<string?> RefuseUnknownAsync(string type, CancellationToken cancellationToken)
    {
        var types = await GetAsync(cancellationToken);
        if (!types.Contains(type, StringComparer.Ordinal))
        {
            await ReadAsync(cancellationToken);
            types = _types;
        }

        return types.Contains(type, StringComparer.Ordinal)
            ? null
            : $"type '{type}' has no handler: no silo handler, no agent ever declared it, and {KnownTaskTypes.Section} does not list it. Known types: {string.Join(", ", types)}.";
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var readAt = _readAt;
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_readAt != readAt)
            {
                return; // Another request read them meanwhile.
            }

            var silo = grains.GetGrain<ITaskTypesGrain>(0).GetTypes().WaitAsync(cancellationToken);
            var agents = grains.GetGrain<IAgentRegistryGrain>(0).GetDeclaredTaskTypes().WaitAsync(cancellationToken);
            _types = [.. (await silo).Concat(await agents).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            _readAt = time.GetUtcNow();
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();
}
