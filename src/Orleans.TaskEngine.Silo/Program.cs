using Orleans.Dashboard;
using Orleans.TaskEngine.Silo.Database;
using Orleans.TaskEngine.Silo.Hosting;

if (args.Length > 0 && args[0] == InitDbCommand.Name)
{
    return await InitDbCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

// Settings come from silo-config/silo (copied beside the binary), then environment variables, then the command line.
// The HTTP address (dashboard and health) is --urls, as for any ASP.NET Core host.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseOrleans(silo => silo.ConfigureTaskEngineSilo(builder.Configuration).AddDashboard());
builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");

var app = builder.Build();
app.MapHealthChecks("/health");
app.MapOrleansDashboard("/dashboard");
TaskEngineSiloConfiguration.LogStorageMode(app.Logger, builder.Configuration);
await app.RunAsync();
return 0;
