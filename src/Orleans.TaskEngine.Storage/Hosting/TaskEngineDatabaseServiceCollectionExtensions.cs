using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Storage.Database;

namespace Orleans.TaskEngine.Hosting;

public static class TaskEngineDatabaseServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="TaskEngineDatabaseOptions"/> from <c>TaskEngine:Database</c> and <c>ConnectionStrings:TaskEngine</c>,
    /// validated when the host starts, and registers the schema initializer.
    /// </summary>
    public static IServiceCollection AddTaskEngineDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TaskEngineDatabaseOptions>()
            .Bind(configuration.GetSection(TaskEngineDatabaseOptions.Section))
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString(TaskEngineDatabaseOptions.ConnectionStringName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskEngineDatabaseOptions>, TaskEngineDatabaseOptionsValidator>());
        services.TryAddSingleton<SchemaInitializer>();
        return services;
    }
}
