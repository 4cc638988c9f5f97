using Orleans.TaskEngine.Api.Hosting;

// Settings: silo-config/api/appsettings*.json (copied beside the binary), then environment variables, then the command line.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddTaskEngineSettings(builder.Environment.EnvironmentName);
builder.AddTaskEngineApi();

var app = builder.Build();
app.UseTaskEngineApi();
await app.RunAsync();

/// <summary>The API host (public for WebApplicationFactory in the tests).</summary>
public partial class Program;
