using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Diagnostics;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Persistence;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Hosting;

public static class TaskEngineSiloBuilderExtensions
{
    /// <summary>Orleans' grain directory settings, bound as <see cref="GrainDirectoryOptions"/>.</summary>
    public const string DirectorySection = "TaskEngine:Cluster:Directory";

    /// <summary>The engine's bound on Orleans' grain directory cache (Orleans' own default is 1,000,000 entries).</summary>
    public const int DefaultDirectoryCacheSize = 100_000;

    /// <summary>
    /// What the host's shutdown timeout keeps for Orleans' own stop once the workers have drained (leaving the
    /// membership, deactivating grains): the host's default timeout, which that stop had before.
    /// </summary>
    public static readonly TimeSpan SiloStopAllowance = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Adds the engine's grains, options (bound from <c>TaskEngine:*</c> and validated at start), built-in handlers
    /// and this silo's workers. Storage and reminders are the host's choice: it must provide a grain storage named
    /// <see cref="TaskEngineStorage.Name"/>, an <see cref="IQueueIndex"/> and a reminder service.
    /// </summary>
    public static ISiloBuilder AddTaskEngine(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;

        services.AddOptions<TaskOptions>().Bind(configuration.GetSection(TaskOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section)).ValidateOnStart();
        services.AddOptions<QueueOptions>().Bind(configuration.GetSection(QueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection(HistoryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HttpHandlerOptions>().Bind(configuration.GetSection(HttpHandlerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskOptions>, TaskOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueOptions>, QueueOptionsValidator>());
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());

        // The host cuts its services' stop short after its shutdown timeout (30 s by default), and the silo's stop is one
        // of them: leave the workers' drain its time, and Orleans its own stop after it.
        services.AddOptions<HostOptions>().PostConfigure<IOptions<WorkerOptions>>((host, workers) =>
        {
            var needed = workers.Value.StopBudget + SiloStopAllowance;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        // One grain per task: Orleans' directory cache would keep the address of every task ever run, long after it
        // finished and deactivated, until a million entries (about 300 bytes each, measured). Bound it near the tasks
        // in flight; a miss costs a directory lookup, not correctness.
        services.Configure<GrainDirectoryOptions>(o => o.CacheSize = DefaultDirectoryCacheSize);
        services.Configure<GrainDirectoryOptions>(configuration.GetSection(DirectorySection));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TaskHandlerRegistry>();
        services.TryAddSingleton<KnownTaskTypes>();
        services.AddHostedService<History.HistoryPurger>();
        services.AddMetrics();
        services.TryAddSingleton<TaskEngineInstruments>();
        services.TryAddSingleton<QueueGauges>();
        // The http handler follows redirects itself, checking each new host against the allow-list; an automatic
        // redirect would go wherever the called server points, past the list.
        services.AddHttpClient(HttpHandler.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddTaskHandler<EchoHandler>(EchoHandler.TypeName);
        services.AddTaskHandler<DelayHandler>(DelayHandler.TypeName);
        services.AddTaskHandler<HttpHandler>(HttpHandler.TypeName);

        // What each worker runs lives beside its grain, on its silo, and its grain is always placed there.
        services.TryAddSingleton<WorkerLedgers>();
        services.AddPlacementDirector<WorkerSiloPlacement, WorkerSiloPlacementDirector>();
        services.AddSingleton<WorkerPoolStarter>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkerPoolStarter>());
        services.AddSingleton<SchedulerKeeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SchedulerKeeper>());
        AddAlerts(services);
        AddCallbacks(services, configuration);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Schedules.ScheduleKeeper>();
        return builder;
    }

    // The rules are evaluated by one grain for the cluster; every silo can send its webhooks and wake it. Webhooks are the
    // operator's own URLs, so they are not held to the http handler's allow-list (which guards against what submitters
    // make the cluster call); their client follows no redirect, so a signed alert goes nowhere else.
    private static void AddAlerts(IServiceCollection services)
    {
        services.AddHttpClient(AlertWebhooks.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddSingleton<AlertInputReader>();
        services.TryAddSingleton<AlertWebhooks>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWebhooks>());
        services.AddSingleton<AlertKeeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<AlertKeeper>());
    }

    // Callbacks go to URLs submitters choose, so only to the http handler's allowed hosts, and their client follows no
    // redirect (a redirect would lead past that list).
    private static void AddCallbacks(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallbackOptions>().Bind(configuration.GetSection(CallbackOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidator>());
        services.AddHttpClient(CallbackSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddSingleton<CallbackSender>();
    }

    /// <summary>
    /// Provides the engine's grain storage (<see cref="TaskEngineStorage.Name"/>) on top of the storage provider
    /// registered as <paramref name="providerName"/>, turning its failures into <see cref="Tasks.TaskEngineUnavailableException"/>.
    /// </summary>
    public static ISiloBuilder AddTaskEngineStorageOver(this ISiloBuilder builder, string providerName) =>
        builder.AddTaskEngineStorageOver(_ => providerName);

    /// <summary>
    /// As <see cref="AddTaskEngineStorageOver(ISiloBuilder, string)"/>, with the provider's name chosen when the storage
    /// is first resolved (e.g. from options, which are bound only then).
    /// </summary>
    public static ISiloBuilder AddTaskEngineStorageOver(this ISiloBuilder builder, Func<IServiceProvider, string> providerName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(providerName);
        builder.Services.AddGrainStorage(TaskEngineStorage.Name, (sp, name) =>
        {
            var provider = providerName(sp);
            return new UnavailableOnFailureGrainStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(provider), provider, sp.GetRequiredService<ILogger<UnavailableOnFailureGrainStorage>>());
        });
        return builder;
    }
}
