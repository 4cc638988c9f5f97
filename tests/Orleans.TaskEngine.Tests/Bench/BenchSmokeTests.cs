using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Bench;

/// <summary>Small runs of the load tool, so it cannot rot. The figures are not asserted: BENCHMARKS.md holds those.</summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task The_bench_drives_the_embedded_engine_and_reports_every_task_completed()
    {
        var figures = await BenchTool.RunAsync("--tasks", "300", "--concurrency", "16", "--priority-mix", "mixed", "--warmup", "50");

        Assert.Equal(300, figures.GetProperty("tasks").GetInt32());
        Assert.Equal(0, figures.GetProperty("lost").GetInt32());
        Assert.True(figures.GetProperty("e2eTasksPerSecond").GetDouble() > 0);
        Assert.True(figures.GetProperty("dispatchP99Ms").GetDouble() >= figures.GetProperty("dispatchP50Ms").GetDouble());
        Assert.True(figures.GetProperty("peakWorkingSetMb").GetDouble() > 0);
    }

    [Fact]
    public async Task The_bench_drives_the_rest_api_of_a_running_host()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync();
        await using var _ = host;

        var figures = await BenchTool.RunAsync("--target", baseUrl.ToString(), "--tasks", "200", "--concurrency", "8", "--rate", "400", "--handler", "delay:5", "--warmup", "20");

        Assert.Equal(0, figures.GetProperty("lost").GetInt32());
        Assert.Equal("delay:5", figures.GetProperty("handler").GetString());
        Assert.True(figures.GetProperty("submitP99Ms").GetDouble() > 0);
    }

    [Fact]
    public async Task The_bench_probes_plain_orleans_in_the_embedded_silo()
    {
        var figures = await BenchTool.RunForAsync("callsPerSecond", "--probe", "--tasks", "300", "--warmup", "100", "--concurrency", "16");

        Assert.Equal(300, figures.GetProperty("count").GetInt32());
        foreach (var rate in new[] { "storedActivationsPerSecond", "bareActivationsPerSecond", "callsPerSecond" })
        {
            Assert.True(figures.GetProperty(rate).GetDouble() > 0, rate);
        }
    }

    [Fact]
    public async Task The_bench_explains_its_options()
    {
        await using var bench = EngineProcess.Start("Orleans.TaskEngine.Bench", new Dictionary<string, string>(), "--help");
        await bench.WaitForOutputAsync("--payload-bytes", BenchTool.RunTimeout);
        foreach (var option in new[] { "--target", "--tasks", "--concurrency", "--rate", "--handler", "--storage", "--connection", "--probe" })
        {
            Assert.Contains(bench.Output, l => l.Contains(option, StringComparison.Ordinal));
        }
    }
}
