using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Storage.Sqlite;

// Upkeep of the SQLite store (backup, migrate to PostgreSQL) as the first argument; see SqliteCommands.
if (SqliteCommands.Handles(args))
{
    return await SqliteCommands.RunAsync(args, Console.Out, Console.Error);
}

// Settings: silo-config/api/appsettings*.json (copied beside the binary), then environment variables, then the command line.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddTaskEngineSettings(builder.Environment.EnvironmentName);
builder.AddTaskEngineApi();

var app = builder.Build();
app.UseTaskEngineApi();
await app.RunAsync();
return 0;

/// <summary>The API host (public for WebApplicationFactory in the tests).</summary>
public partial class Program;
