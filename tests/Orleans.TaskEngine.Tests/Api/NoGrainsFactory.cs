using System.Reflection;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>A grain factory that fails the test as soon as anyone asks it for a grain: proves a call never got that far.</summary>
public class NoGrainsFactory : DispatchProxy
{
    public static IGrainFactory Create() => DispatchProxy.Create<IGrainFactory, NoGrainsFactory>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException($"{targetMethod?.Name} was called on the grain factory; the call should have been refused before.");
}
