using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.TaskEngine.Handlers;

public static class TaskHandlerServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="THandler"/> as the handler of task type <paramref name="type"/>.</summary>
    public static IServiceCollection AddTaskHandler<THandler>(this IServiceCollection services, string type)
        where THandler : class, ITaskHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        services.TryAddTransient<THandler>();
        services.AddSingleton(new TaskHandlerRegistration(type, typeof(THandler)));
        return services;
    }
}
