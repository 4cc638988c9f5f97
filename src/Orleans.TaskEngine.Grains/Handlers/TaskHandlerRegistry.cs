using Microsoft.Extensions.DependencyInjection;

namespace Orleans.TaskEngine.Handlers;

/// <summary>The task types this silo can run, from the <see cref="TaskHandlerRegistration"/>s in DI.</summary>
public sealed class TaskHandlerRegistry
{
    private readonly Dictionary<string, Type> _handlers;

    public TaskHandlerRegistry(IEnumerable<TaskHandlerRegistration> registrations)
    {
        _handlers = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            // The last registration of a type wins, so an application can replace a built-in handler.
            _handlers[registration.Type] = registration.HandlerType;
        }
    }

    public IReadOnlyCollection<string> Types => _handlers.Keys;

    public bool IsRegistered(string type) => _handlers.ContainsKey(type);

    /// <summary>A handler instance for one attempt, from the given scope; null for an unknown type.</summary>
    public ITaskHandler? Create(IServiceProvider services, string type) =>
        _handlers.TryGetValue(type, out var handlerType)
            ? (ITaskHandler)services.GetRequiredService(handlerType)
            : null;
}
