using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Silo.Hosting;

// Settings come from silo-config/silo (copied beside the binary), then environment variables, then the command line.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.UseOrleans(silo => silo.ConfigureTaskEngineSilo(builder.Configuration));

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.TaskEngine.Silo");
TaskEngineSiloConfiguration.LogStorageMode(logger, builder.Configuration);
await host.RunAsync();
