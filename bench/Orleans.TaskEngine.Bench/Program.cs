using System.Text.Json;
using Orleans.TaskEngine.Bench;

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

await using IBenchTarget target = options.IsEmbedded
    ? await EmbeddedTarget.StartAsync(options, cancel.Token)
    : new RestTarget(options.Target, options.ApiKey);
var result = await new BenchRunner(options, target).RunAsync(cancel.Token);
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
return result.Lost == 0 ? 0 : 1;
