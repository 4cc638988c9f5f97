using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Orleans.TaskEngine.Diagnostics;

namespace Orleans.TaskEngine.Hosting;

/// <summary>
/// Metrics in the Prometheus text format at <c>/metrics</c>, through OpenTelemetry's exporter (not a hand-written
/// format): the engine's meter (<c>taskengine.*</c>, written <c>taskengine_*</c>), Orleans' own (<c>Microsoft.Orleans</c>),
/// ASP.NET Core's requests and the .NET runtime's. The same on the API host and on every silo.
/// </summary>
public static class TaskEngineMetrics
{
    public const string Path = "/metrics";

    /// <summary>Orleans' meter (grain calls, activations, messaging).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    public static IServiceCollection AddTaskEngineMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TaskEngineInstruments.MeterName, OrleansMeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Maps <see cref="Path"/>; the caller adds its authorization (the API host's keys, when configured).</summary>
    public static IEndpointConventionBuilder MapTaskEngineMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path);
}
