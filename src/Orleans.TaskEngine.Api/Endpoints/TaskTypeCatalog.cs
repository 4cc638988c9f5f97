using Orleans.TaskEngine.Handlers;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>The cluster's task types, cached briefly so every submit can be checked without a round trip.</summary>
public sealed class TaskTypeCatalog(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);
    private string[] _types = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _readAt > Freshness || _types.Length == 0)
        {
            _types = await grains.GetGrain<ITaskTypesGrain>(0).GetTypes().WaitAsync(cancellationToken);
            _readAt = time.GetUtcNow();
        }

        return _types;
    }

    public async Task<string?> RefuseUnknownAsync(string type, CancellationToken cancellationToken)
    {
        var types = await GetAsync(cancellationToken);
        return types.Contains(type, StringComparer.Ordinal)
            ? null
            : $"type '{type}' has no handler. Known types: {string.Join(", ", types)}.";
    }
}
