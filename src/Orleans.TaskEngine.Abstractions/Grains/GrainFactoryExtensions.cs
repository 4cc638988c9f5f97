using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Orleans.Runtime;

namespace Orleans.TaskEngine.Grains;

/// <summary>
/// References to string-keyed grains without Orleans resolving the interface's grain type on every call: in 10.4
/// <c>GetGrain&lt;T&gt;(string)</c> reads the interface's attributes and builds its name each time (measured: a tenth
/// of everything the engine allocated per task). The types are resolved once per factory, the standard way.
/// </summary>
public static class GrainFactoryExtensions
{
    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<Type, ResolvedGrainTypes?>> Resolved = new();

    /// <summary>The same reference as <c>GetGrain&lt;TGrain&gt;(key)</c>, and like it refuses an empty key.</summary>
    public static TGrain GetGrainByKey<TGrain>(this IGrainFactory grains, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var types = Resolved.GetOrCreateValue(grains).GetOrAdd(typeof(TGrain), static (_, factory) => Resolve<TGrain>(factory), grains);

        // A factory that is not Orleans' own (a test double) gets the standard call.
        return types is null
            ? grains.GetGrain<TGrain>(key)
            : (TGrain)grains.GetGrain(GrainId.Create(types.GrainType, key), types.InterfaceType);
    }

    private static ResolvedGrainTypes? Resolve<TGrain>(IGrainFactory grains)
        where TGrain : IGrainWithStringKey =>
        grains.GetGrain<TGrain>("any") is GrainReference reference
            ? new ResolvedGrainTypes(reference.GrainId.Type, reference.InterfaceType)
            : null;

    private sealed record ResolvedGrainTypes(GrainType GrainType, GrainInterfaceType InterfaceType);
}
