using System.Text.Json;
using Hangfire;
using Hangfire.Comparison;
using Hangfire.PostgreSql;

ComparisonOptions? options;
try
{
    options = ComparisonOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ComparisonOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(ComparisonOptions.Usage);
    return 0;
}

// What Hangfire's documentation sets up for a new application: the 1.8 data format, short type names and its
// recommended JSON settings (smaller job payloads than the 1.7-compatible defaults).
var configuration = GlobalConfiguration.Configuration
    .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
    .UseSimpleAssemblyNameTypeSerializer()
    .UseRecommendedSerializerSettings()
    .UseLogProvider(new StderrLogProvider());

if (options.Storage == "postgres")
{
    configuration.UsePostgreSqlStorage(
        bootstrapper => bootstrapper.UseNpgsqlConnection(options.Connection),
        new PostgreSqlStorageOptions
        {
            PrepareSchemaIfNecessary = true,
            // The default is 15 s, meant for quiet production queues. Workers in this process are woken at once
            // by the storage's in-process signal when a job is enqueued here, so the poll interval only bounds
            // how long an idle worker can miss one; 200 ms is the low-latency setting usually given for
            // Hangfire.PostgreSql. EnableLongPolling (LISTEN/NOTIFY, for enqueuers in other processes) stays off,
            // its default: it adds a NOTIFY to every enqueue and nothing here needs it.
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
            // A measuring tool should fail at once on a wrong connection string, not retry for minutes.
            StartupConnectionMaxRetries = 0,
            AllowDegradedModeWithoutStorage = false,
        });
}
else
{
    // Hangfire.InMemory has no poll interval: its workers wait on a signal. Its defaults are kept.
    configuration.UseInMemoryStorage();
}

var result = new ComparisonRunner(options, JobStorage.Current).Run();
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
return result.Lost == 0 ? 0 : 1;
