using Orleans.Dashboard;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Hosting.Security;
using Orleans.TaskEngine.Storage.Sqlite;

namespace Orleans.TaskEngine.Silo;

/// <summary>
/// A silo process: the engine's grains and workers, the Orleans Dashboard at <c>/dashboard</c>, <c>/metrics</c> and
/// <c>/health</c> on its HTTP address (<c>--urls</c>), the first two behind the API keys when keys are configured; or, as <c>init-db</c>, the schema step. A named class rather than top-level
/// statements, so its entry type does not clash with the API host's public <c>Program</c> where both are referenced.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == InitDbCommand.Name)
        {
            return await InitDbCommand.RunAsync(args[1..], Console.Out, Console.Error);
        }

        if (SqliteCommands.Handles(args))
        {
            return await SqliteCommands.RunAsync(args, Console.Out, Console.Error);
        }

        // Settings come from silo-config/silo (copied beside the binary), then environment variables, then the command line.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.UseOrleans(silo => silo.ConfigureTaskEngineSilo(builder.Configuration).AddDashboard());
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");
        builder.Services.AddTaskEngineMetrics();
        builder.Services.AddSiloKeys(builder.Configuration);

        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        // With keys configured, all but /health needs one (the fallback policy): the dashboard and /metrics.
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapTaskEngineMetrics();
        app.MapOrleansDashboard("/dashboard");
        TaskEngineSiloConfiguration.LogStorageMode(app.Logger, builder.Configuration);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var banner = StartupBanner.Format("silo", StartupBanner.DescribeStorage(builder.Configuration), StartupBanner.BrowsableUrl(app.Urls),
                [("Orleans Dashboard", "/dashboard"), ("Metrics", "/metrics"), ("Health", "/health")]);
            SiloLog.Banner(app.Logger, banner);
        });
        await app.RunAsync();
        return 0;
    }
}
