using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Storage.Sqlite;

public static class SqliteStorageSiloBuilderExtensions
{
    /// <summary>The grain storage provider over the SQLite file, which the engine's storage wraps.</summary>
    public const string SqliteStorageName = "TaskEngine.Sqlite";

    /// <summary>
    /// Task state, the queue index, reminders and the audit log in one SQLite file (<c>ConnectionStrings:TaskEngine</c>,
    /// default <see cref="SqliteStoreOptions.DefaultDataSource"/>), options from <c>TaskEngine:Sqlite</c>.
    /// </summary>
    public static ISiloBuilder UseSqliteTaskStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        silo.Services.AddOptions<SqliteStoreOptions>()
            .Bind(configuration.GetSection(SqliteStoreOptions.Section))
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString(TaskEngineDatabaseOptions.ConnectionStringName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        silo.Services.AddSingleton<SqliteDatabase>();
        silo.Services.AddGrainStorage(SqliteStorageName, (sp, _) => ActivatorUtilities.CreateInstance<SqliteGrainStorage>(sp));
        silo.Services.AddSingleton<IQueueIndex, SqliteQueueIndex>();
        silo.Services.AddSingleton<ITaskHistory, SqliteTaskHistory>();
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        silo.Services.AddHostedService<SqliteVacuumService>();
        return silo.AddTaskEngineStorageOver(SqliteStorageName);
    }
}
