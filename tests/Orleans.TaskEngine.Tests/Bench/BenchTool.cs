using System.Text.Json;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Bench;

/// <summary>Runs the load tool as a process and returns its JSON line.</summary>
internal static class BenchTool
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    public static Task<JsonElement> RunAsync(params string[] args) => RunForAsync("lost", args);

    /// <summary>Runs the tool and returns its JSON line, the one that has <paramref name="field"/>.</summary>
    public static async Task<JsonElement> RunForAsync(string field, params string[] args)
    {
        await using var bench = EngineProcess.Start("Orleans.TaskEngine.Bench", new Dictionary<string, string>(), args);
        await bench.WaitForOutputAsync($"\"{field}\":", RunTimeout);
        var line = bench.Output.Last(l => l.Contains($"\"{field}\":", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        return json.RootElement.Clone();
    }
}
