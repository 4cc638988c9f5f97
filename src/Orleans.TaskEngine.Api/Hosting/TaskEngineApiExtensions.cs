using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Orleans.TaskEngine.Api.Batches;
using Orleans.TaskEngine.Api.Dashboard;
using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Api.Health;
using Orleans.TaskEngine.Api.OpenApi;
using Orleans.TaskEngine.Api.Schedules;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Api.WebSockets;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Hosting;
using Scalar.AspNetCore;

namespace Orleans.TaskEngine.Api.Hosting;

public static class TaskEngineApiExtensions
{
    /// <summary>Services of the REST host: the engine connection for the configured mode, auth, rate limit, problem details, OpenAPI, health.</summary>
    public static WebApplicationBuilder AddTaskEngineApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddOptions<TaskTypeOptions>().Configure(o => TaskTypeOptions.Read(o, configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskTypeOptions>, TaskTypeOptionsValidator>();
        var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();

        switch (api.Mode)
        {
            case ApiMode.Embedded:
                builder.UseOrleans(silo => silo.ConfigureTaskEngineSilo(configuration).AddDashboard());
                break;
            case ApiMode.Client:
                builder.UseOrleansClient(client => client.ConfigureTaskEngineClient(configuration));
                break;
        }

        if (!api.HasKeys)
        {
            // Anonymous access is only safe on this machine.
            builder.WebHost.UseUrls(LoopbackUrls.Restrict(configuration["urls"] ?? ApiOptions.DefaultUrl));
        }
        else if (configuration["urls"] is null)
        {
            builder.WebHost.UseUrls(ApiOptions.DefaultUrl);
        }

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new TaskEngineClusterClient(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<TaskTypeCatalog>();
        services.ConfigureHttpJsonOptions(o => TaskEngineJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<EngineExceptionHandler>();
        services.AddTaskEngineOpenApi();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddTaskEngineMetrics();

        services.AddSingleton(sp => ApiKeyAuthenticationHandler.Callers(sp.GetRequiredService<IOptions<ApiOptions>>().Value));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            if (api.HasKeys)
            {
                o.FallbackPolicy = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
            }

            ApiPolicies.Add(o, api.HasKeys);
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/api")
                    ? RateLimitPartition.GetTokenBucketLimiter(
                        http.User.Identity?.Name ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = api.RateLimitBurst,
                            TokensPerPeriod = api.RateLimitPerSecond,
                            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 1;
                await ApiProblems.TooMany(context.HttpContext, "Too many requests",
                    $"This API key is over its rate of {api.RateLimitPerSecond} requests per second.", Math.Max(1, retryAfter)).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>Middleware and endpoints, in the order they must run.</summary>
    public static WebApplication UseTaskEngineApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWebSockets();

        app.MapGroup("/api").MapTaskEndpoints().MapHistoryEndpoints().MapStatsEndpoints().MapAgentReportEndpoints().MapAgentEndpoints().MapOperationsEndpoints()
            .MapAlertEndpoints().MapWebSocketEndpoints().MapBatchEndpoints().MapScheduleEndpoints();
        app.MapTaskDashboard();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        // Behind the keys when keys are configured (the fallback policy: any key; Prometheus sends it as a bearer token).
        app.MapTaskEngineMetrics();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs").AllowAnonymous();
        if (api.Mode == ApiMode.Embedded)
        {
            // The dashboard has no auth of its own: it sits behind the API keys like everything else.
            app.MapOrleansDashboard("/dashboard");
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.TaskEngine.Api");
        if (api.Mode == ApiMode.Embedded)
        {
            TaskEngineSiloConfiguration.LogStorageMode(logger, app.Configuration);
        }

        // Once listening, when the addresses are known.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var banner = Banner(api, app.Configuration, app.Urls);
            ApiLog.Banner(logger, banner);
            if (!api.HasKeys)
            {
                // Anonymous access is only safe on this machine.
                ApiLog.NoKeys(logger, app.Urls);
            }
        });
        return app;
    }

    private static string Banner(ApiOptions api, IConfiguration configuration, ICollection<string> urls)
    {
        var embedded = api.Mode == ApiMode.Embedded;
        (string, string)[] links =
        [
            ("API", "/api/tasks"), ("API docs", "/docs"), ("OpenAPI", "/openapi/v1.json"), ("Task dashboard", "/"),
            .. embedded ? new[] { ("Orleans Dashboard", "/dashboard") } : [],
            ("Metrics", "/metrics"), ("Health", "/health/ready"),
        ];
        return StartupBanner.Format(
            embedded ? "API host with an embedded silo" : "API host, client of the cluster",
            embedded ? StartupBanner.DescribeStorage(configuration) : null,
            StartupBanner.BrowsableUrl(urls),
            links);
    }
}
