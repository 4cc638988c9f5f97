using System.Diagnostics;

namespace Orleans.TaskEngine.Bench.Probe;

/// <summary>
/// What plain Orleans does on this machine, in the same silo and storage the engine uses: the floor under the cost
/// of a task, which needs one activation, one stored state and a few calls.
/// </summary>
public static class OrleansProbe
{
    public static async Task<ProbeResult> RunAsync(IGrainFactory grains, int count, int warmup, int concurrency, CancellationToken cancellationToken)
    {
        var payload = new string('x', 16);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
        var run = Guid.NewGuid().ToString("N");
        var active = Enumerable.Range(0, concurrency).Select(i => grains.GetGrain<IProbeGrain>($"{run}-active-{i}")).ToArray();

        async Task<double> PerSecond(string phase, int operations, Func<int, Task> operation)
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, operations), parallel, async (i, _) => await operation(i));
            return Math.Round(operations / clock.Elapsed.TotalSeconds, 1);
        }

        Task<double> Stored(string phase, int operations) =>
            PerSecond(phase, operations, i => grains.GetGrain<IProbeGrain>($"{run}-{phase}-{i}").Store(payload));
        Task<double> Bare(string phase, int operations) =>
            PerSecond(phase, operations, i => grains.GetGrain<IBareProbeGrain>($"{run}-{phase}-{i}").Touch());
        Task<double> Calls(int operations) => PerSecond("calls", operations, i => active[i % active.Length].Ping());

        // The JIT takes tens of thousands of calls to reach its final code (tiered, profile-guided): warm every path first.
        await Stored("warm", warmup);
        await Bare("warm", warmup);
        await Calls(warmup);

        return new ProbeResult(
            count,
            warmup,
            concurrency,
            StoredActivationsPerSecond: await Stored("stored", count),
            BareActivationsPerSecond: await Bare("bare", count),
            CallsPerSecond: await Calls(count),
            Environment.ProcessorCount);
    }
}
