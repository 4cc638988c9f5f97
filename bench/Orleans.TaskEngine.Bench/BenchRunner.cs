using System.Diagnostics;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>One run: optional backlog, the submits (flat out or paced), then every task checked to be completed.</summary>
public sealed class BenchRunner(BenchOptions options, IBenchTarget target)
{
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(10);

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Warmup > 0)
        {
            await WarmUpAsync(cancellationToken);
        }

        if (options.Preload > 0)
        {
            await PreloadAsync(cancellationToken);
        }

        var payload = JsonSerializer.Serialize(options.DelayMs > 0
            ? (object)new { ms = options.DelayMs, pad = new string('x', Math.Max(0, options.PayloadBytes - 20)) }
            : new { pad = new string('x', Math.Max(0, options.PayloadBytes - 10)) });
        var ids = new string[options.Tasks];
        var submitMs = new double[options.Tasks];
        var cpuBefore = target.EngineCpu;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Tasks),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                if (options.Rate is { } rate)
                {
                    var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, ct);
                    }
                }

                var submission = new TaskSubmission { Type = options.TaskType, Payload = payload, Priority = options.PriorityFor(i) };
                var begin = Stopwatch.GetTimestamp();
                ids[i] = await target.SubmitAsync(submission, ct);
                submitMs[i] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
            });
        var submitSeconds = clock.Elapsed.TotalSeconds;

        var outcomes = new TaskOutcome?[options.Tasks];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Tasks),
            new ParallelOptions { MaxDegreeOfParallelism = 256, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await target.WaitAsync(ids[i], CompletionTimeout, ct));

        var completed = outcomes.Where(o => o is { Status: TaskState.Completed, StartedAt: not null, FinishedAt: not null }).Select(o => o!).ToList();
        var lastFinish = completed.Count > 0 ? completed.Max(o => o.FinishedAt!.Value) : DateTimeOffset.UtcNow;
        var e2eSeconds = (lastFinish - started).TotalSeconds;
        // A target that sees tasks arrive measures dispatch itself (submit → received, one clock); else the engine's times.
        var dispatch = target is IDispatchTimer timer
            ? ids.Select(timer.DispatchMs).OfType<double>().ToArray()
            : completed.Select(o => (o.StartedAt!.Value - o.CreatedAt).TotalMilliseconds).ToArray();
        var completion = completed.Select(o => (o.FinishedAt!.Value - o.CreatedAt).TotalMilliseconds).ToArray();
        var cpuAfter = target.EngineCpu;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;

        return new BenchResult
        {
            Tasks = options.Tasks,
            Target = options.Target,
            // A REST target's storage is the server's choice, which the tool cannot see.
            Storage = options.HostsEngine ? options.Storage : "server",
            Handler = options.Handler,
            History = options.HostsEngine ? options.History : null,
            Agents = options.IsAgents ? options.Agents : null,
            AgentConcurrency = options.IsAgents ? options.AgentConcurrency : null,
            Concurrency = options.Concurrency,
            Rate = options.Rate,
            PayloadBytes = options.PayloadBytes,
            Preload = options.Preload,
            Warmup = options.Warmup,
            SubmitSeconds = Math.Round(submitSeconds, 3),
            SubmitTasksPerSecond = Math.Round(options.Tasks / submitSeconds, 1),
            SubmitP50Ms = Percentile(submitMs, 50),
            SubmitP95Ms = Percentile(submitMs, 95),
            SubmitP99Ms = Percentile(submitMs, 99),
            E2eSeconds = Math.Round(e2eSeconds, 3),
            E2eTasksPerSecond = Math.Round(completed.Count / e2eSeconds, 1),
            DispatchP50Ms = Percentile(dispatch, 50),
            DispatchP95Ms = Percentile(dispatch, 95),
            DispatchP99Ms = Percentile(dispatch, 99),
            CompletionP50Ms = Percentile(completion, 50),
            CompletionP99Ms = Percentile(completion, 99),
            PeakWorkingSetMb = target.EnginePeakWorkingSet is { } ws ? Math.Round(ws / 1024.0 / 1024.0, 1) : null,
            CpuSeconds = cpuBefore is { } b && cpuAfter is { } a ? Math.Round((a - b).TotalSeconds, 2) : null,
            // This process's allocations (the engine's and the tool's own) per task: steadier than time on a noisy machine.
            AllocatedKbPerTask = options.HostsEngine ? Math.Round(allocated / 1024.0 / options.Tasks, 2) : null,
            Lost = options.Tasks - completed.Count,
            Throttled = target.Throttled,
            Cores = Environment.ProcessorCount,
            Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var ids = new string[options.Warmup];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Warmup),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (i, ct) => ids[i] = await target.SubmitAsync(new TaskSubmission { Type = options.WarmupTaskType }, ct));
        foreach (var id in ids)
        {
            await target.WaitAsync(id, CompletionTimeout, cancellationToken);
        }
    }

    /// <summary>A busy worker on queue 'backlog' (one slot, held by a long task) and N tasks queued behind it.</summary>
    private async Task PreloadAsync(CancellationToken cancellationToken)
    {
        await target.SubmitAsync(new TaskSubmission { Type = "delay", Payload = """{"ms":3600000}""", Queue = "backlog", TimeoutSeconds = 7200 }, cancellationToken);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Preload),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (_, ct) => await target.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "backlog", Priority = TaskPriority.Low }, ct));
    }

    private static double Percentile(double[] values, double percentile)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)], 3);
    }
}
