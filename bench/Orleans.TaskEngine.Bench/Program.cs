using System.Text.Json;
using Orleans.TaskEngine.Bench;
using Orleans.TaskEngine.Bench.Probe;

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

if (options.HistorySearch)
{
    var search = await Orleans.TaskEngine.Bench.History.HistorySearchBench.RunAsync(options, cancel.Token);
    Console.WriteLine(JsonSerializer.Serialize(search, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    return 0;
}

if (options.Probe)
{
    await using var silo = await EmbeddedTarget.StartAsync(options, cancel.Token);
    var probe = await OrleansProbe.RunAsync(silo.Grains, options.Tasks, options.Warmup, options.Concurrency, cancel.Token);
    Console.WriteLine(JsonSerializer.Serialize(probe, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    return 0;
}

await using IBenchTarget target = options.Target switch
{
    "embedded" => await EmbeddedTarget.StartAsync(options, cancel.Token),
    "agents" => await AgentsTarget.StartAsync(options, cancel.Token),
    _ => new RestTarget(options.Target, options.ApiKey),
};
var result = await new BenchRunner(options, target).RunAsync(cancel.Token);
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
return result.Lost == 0 ? 0 : 1;
