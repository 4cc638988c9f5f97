using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Storage.Sqlite;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Configures a silo the way <c>silo-config/</c> says: clustering, storage, reminders and the engine.</summary>
public static partial class TaskEngineSiloConfiguration
{
    public const string StorageKey = "TaskEngine:Storage";

    /// <summary>Orleans' membership settings (probe timeout, missed probes, votes), bound as <see cref="ClusterMembershipOptions"/>.</summary>
    public const string MembershipSection = "TaskEngine:Cluster:Membership";

    /// <summary>The reminder service's settings, bound as <see cref="ReminderOptions"/>.</summary>
    public const string RemindersSection = "TaskEngine:Reminders";

    /// <summary>Orleans' ADO.NET grain storage, which the engine's storage wraps when <see cref="TaskEngineDatabaseOptions.TaskStore"/> is AdoNet.</summary>
    public const string PostgresStorageName = "TaskEngine.Postgres";

    /// <summary>The batched grain storage (<see cref="PostgresGrainStorage"/>), which the engine's storage wraps by default.</summary>
    public const string PostgresBatchedStorageName = "TaskEngine.PostgresBatched";

    public static StorageMode ReadStorageMode(IConfiguration configuration)
    {
        var text = configuration[StorageKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return StorageMode.Memory;
        }

        return Enum.TryParse<StorageMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new InvalidOperationException($"{StorageKey} is '{text}'; it must be Sqlite, Memory or Postgres.");
    }

    public static ISiloBuilder ConfigureTaskEngineSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var cluster = ReadClusterOptions(configuration);
        var mode = ReadStorageMode(configuration);
        switch (mode)
        {
            case StorageMode.Memory:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.UseInProcessTaskStorage();
                break;
            case StorageMode.Postgres:
                silo.UsePostgres(configuration, cluster);
                break;
            case StorageMode.Sqlite:
                // One process owns the file, so the cluster is this one silo.
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.UseSqliteTaskStorage(configuration);
                break;
        }

        silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(MembershipSection));
        silo.Services.Configure<ReminderOptions>(configuration.GetSection(RemindersSection));
        return silo.AddTaskEngine(configuration);
    }

    /// <summary>Says plainly at start-up what the storage mode means for the user's data.</summary>
    public static void LogStorageMode(ILogger logger, IConfiguration configuration)
    {
        switch (ReadStorageMode(configuration))
        {
            case StorageMode.Memory:
                logger.LogWarning(
                    "In-memory store: tasks, queues and reminders are kept in this process only; state does not survive a restart. Leave TaskEngine__Storage unset (a SQLite file) to keep them, or set it to Postgres for a cluster.");
                break;
            case StorageMode.Sqlite:
                var path = SqliteStoreOptions.ResolvePath(configuration.GetConnectionString(TaskEngineDatabaseOptions.ConnectionStringName));
                LogSqliteFile(logger, path);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tasks are stored in the SQLite file {Path}: they survive a restart of this process. One process runs on it (a single silo); use TaskEngine__Storage=Postgres for a cluster.")]
    private static partial void LogSqliteFile(ILogger logger, string path);

    internal static TaskEngineClusterOptions ReadClusterOptions(IConfiguration configuration) =>
        configuration.GetSection(TaskEngineClusterOptions.Section).Get<TaskEngineClusterOptions>() ?? new TaskEngineClusterOptions();

    /// <summary>
    /// ADO.NET clustering, grain storage and reminders on one PostgreSQL database. Every provider is given the same
    /// connection string, so the process shares one bounded Npgsql pool.
    /// </summary>
    private static void UsePostgres(this ISiloBuilder silo, IConfiguration configuration, TaskEngineClusterOptions cluster)
    {
        silo.Services.AddTaskEngineDatabase(configuration);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaInitializerStartup>();
        silo.Services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.ConfigureEndpoints(cluster.AdvertisedHostName(), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseTaskEnginePostgresClustering().UseTaskEnginePostgresPersistence();
    }

    /// <summary>Membership in PostgreSQL (needs <see cref="TaskEngineDatabaseServiceCollectionExtensions.AddTaskEngineDatabase"/>).</summary>
    public static ISiloBuilder UseTaskEnginePostgresClustering(this ISiloBuilder silo) =>
        silo.UseAdoNetClustering(o => o.Configure<IOptions<TaskEngineDatabaseOptions>>((ado, db) =>
        {
            ado.Invariant = TaskEngineDatabaseOptions.Invariant;
            ado.ConnectionString = db.Value.EffectiveConnectionString();
        }));

    /// <summary>
    /// Grain state and reminders in PostgreSQL (needs <see cref="TaskEngineDatabaseServiceCollectionExtensions.AddTaskEngineDatabase"/>):
    /// the ADO.NET storage as <see cref="PostgresStorageName"/>, the batched one as <see cref="PostgresBatchedStorageName"/>,
    /// and the engine's storage over the one <see cref="TaskEngineDatabaseOptions.TaskStore"/> names.
    /// </summary>
    public static ISiloBuilder UseTaskEnginePostgresPersistence(this ISiloBuilder silo)
    {
        silo.UseAdoNetReminderService(o => o.Configure<IOptions<TaskEngineDatabaseOptions>>((ado, db) =>
        {
            ado.Invariant = TaskEngineDatabaseOptions.Invariant;
            ado.ConnectionString = db.Value.EffectiveConnectionString();
        }));
        silo.AddAdoNetGrainStorage(PostgresStorageName, o => o.Configure<IOptions<TaskEngineDatabaseOptions>, Serializer>((ado, db, serializer) =>
        {
            ado.Invariant = TaskEngineDatabaseOptions.Invariant;
            ado.ConnectionString = db.Value.EffectiveConnectionString();

            // A purged task leaves no row behind (the default keeps an emptied row per grain forever).
            ado.DeleteStateOnClear = true;

            // Orleans' binary format: the state types are [GenerateSerializer] and version-tolerant by [Id], while the
            // default JSON serializer would write CLR type names of compiler-made collection types.
            ado.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.Services.AddGrainStorage(PostgresBatchedStorageName, (sp, _) => ActivatorUtilities.CreateInstance<PostgresGrainStorage>(sp));
        silo.Services.AddSingleton<IQueueIndex, PostgresQueueIndex>();

        // The audit log's queries; its rows are written by the batched store with each task state (the ADO.NET one
        // writes none).
        silo.Services.AddSingleton<ITaskHistory, PostgresTaskHistory>();

        // Chosen when the storage is first resolved: the options are bound from configuration only then.
        return silo.AddTaskEngineStorageOver(sp =>
            sp.GetRequiredService<IOptions<TaskEngineDatabaseOptions>>().Value.TaskStore == TaskStateStore.AdoNet ? PostgresStorageName : PostgresBatchedStorageName);
    }
}
