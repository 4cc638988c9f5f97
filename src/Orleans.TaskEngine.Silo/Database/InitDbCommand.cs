using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Storage.Database;

/// <summary><c>init-db</c>: applies the schema with the silo's own settings and says what it did. Exit code 0 or 1.</summary>
public static class InitDbCommand
{
    public const string Name = "init-db";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddTaskEngineDatabase(builder.Configuration);

        // This command reports on its own output; the initializer's log lines would only repeat it.
        builder.Logging.AddFilter(typeof(SchemaInitializer).FullName, LogLevel.Warning);
        using var host = builder.Build();
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var options = host.Services.GetRequiredService<IOptions<TaskEngineDatabaseOptions>>().Value;
            var scripts = options.ScriptsPath ?? SchemaScripts.DefaultDirectory;
            var connectionString = options.EffectiveConnectionString();
            var target = new NpgsqlConnectionStringBuilder(connectionString);
            await output.WriteLineAsync($"init-db: applying {scripts} to database '{target.Database}' on {target.Host}:{target.Port}");
            var result = await host.Services.GetRequiredService<SchemaInitializer>().ApplyAsync(connectionString, scripts, cancel.Token);
            foreach (var script in result.Scripts)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  applied {script.Name} ({script.Elapsed.TotalMilliseconds:F0} ms)"));
            }

            var what = result.Existed ? "was there already; tables and data kept, functions and provider queries refreshed" : "created";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"init-db: schema {what}; {result.QueryCount} provider queries in orleansquery; done in {result.Elapsed.TotalMilliseconds:F0} ms"));
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or NpgsqlException or InvalidOperationException or IOException or OperationCanceledException)
        {
            await error.WriteLineAsync($"init-db failed: {ex.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
