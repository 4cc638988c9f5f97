using System.Diagnostics;
using System.Globalization;
using Hangfire.States;
using Hangfire.Storage;

namespace Hangfire.Comparison;

/// <summary>
/// One run: warm-up jobs (waited for), then the timed jobs from C parallel enqueuers, completion seen by polling the
/// monitoring API's succeeded count, then every timed job's state checked to be Succeeded.
/// </summary>
public sealed class ComparisonRunner(ComparisonOptions options, JobStorage storage)
{
    private static readonly TimeSpan CompletionDeadline = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public ComparisonResult Run()
    {
        var client = new BackgroundJobClient(storage);
        // Hangfire's defaults but the worker count. SchedulePollingInterval (15 s) is left alone: it only moves
        // delayed and retried jobs, and these jobs are enqueued directly and do not fail.
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = options.Workers }, storage);
        var monitoring = storage.GetMonitoringApi();

        if (options.Warmup > 0)
        {
            var warmupBaseline = monitoring.SucceededListCount();
            EnqueueAll(client, options.Warmup, onStart: () => { });
            if (!WaitForSucceeded(monitoring, warmupBaseline + options.Warmup, Stopwatch.StartNew()))
            {
                Console.Error.WriteLine("warning: the warm-up jobs did not all succeed before the deadline");
            }
        }

        var baseline = monitoring.SucceededListCount();
        var cpuBefore = TimeSpan.Zero;
        var clock = new Stopwatch();
        var (ids, submitMs) = EnqueueAll(client, options.Jobs, onStart: () =>
        {
            cpuBefore = ProcessCpu();
            clock.Start();
        });
        var submitSeconds = clock.Elapsed.TotalSeconds;
        WaitForSucceeded(monitoring, baseline + options.Jobs, clock);
        var e2eSeconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (ProcessCpu() - cpuBefore).TotalSeconds;
        double peakWorkingSet;
        using (var self = Process.GetCurrentProcess())
        {
            peakWorkingSet = self.PeakWorkingSet64;
        }

        var lost = CountNotSucceeded(ids);
        Array.Sort(submitMs);

        return new ComparisonResult
        {
            Storage = options.Storage,
            Jobs = options.Jobs,
            Concurrency = options.Concurrency,
            Workers = options.Workers,
            Warmup = options.Warmup,
            SubmitSeconds = Math.Round(submitSeconds, 3),
            SubmitJobsPerSecond = Math.Round(options.Jobs / submitSeconds, 1),
            SubmitP50Ms = NearestRank(submitMs, 50),
            SubmitP99Ms = NearestRank(submitMs, 99),
            E2eSeconds = Math.Round(e2eSeconds, 3),
            E2eJobsPerSecond = Math.Round((options.Jobs - lost) / e2eSeconds, 1),
            CpuSeconds = Math.Round(cpuSeconds, 2),
            PeakWorkingSetMb = Math.Round(peakWorkingSet / 1024.0 / 1024.0, 1),
            Lost = lost,
            Cores = Environment.ProcessorCount,
            Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// Enqueues <paramref name="count"/> no-op jobs from C dedicated threads (Enqueue is synchronous, so a thread per
    /// enqueuer is what keeps C of them in flight). The threads start first and wait at a gate; <paramref name="onStart"/>
    /// runs just before the gate opens, so thread start-up is not timed.
    /// </summary>
    private (string[] Ids, double[] SubmitMs) EnqueueAll(BackgroundJobClient client, int count, Action onStart)
    {
        var ids = new string[count];
        var submitMs = new double[count];
        var next = -1;
        var enqueuers = Math.Min(options.Concurrency, count);
        using var ready = new CountdownEvent(enqueuers);
        using var gate = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, enqueuers).Select(_ => Task.Factory.StartNew(
            () =>
            {
                ready.Signal();
                gate.Wait();
                while (Interlocked.Increment(ref next) is var i && i < count)
                {
                    var begin = Stopwatch.GetTimestamp();
                    ids[i] = client.Enqueue(() => Jobs.Noop(i));
                    submitMs[i] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        ready.Wait();
        onStart();
        gate.Set();
        Task.WaitAll(threads);
        return (ids, submitMs);
    }

    /// <returns>Whether the succeeded count reached <paramref name="target"/> before the deadline.</returns>
    private static bool WaitForSucceeded(IMonitoringApi monitoring, long target, Stopwatch clock)
    {
        while (monitoring.SucceededListCount() < target)
        {
            if (clock.Elapsed > CompletionDeadline)
            {
                return false;
            }

            Thread.Sleep(PollInterval);
        }

        return true;
    }

    private int CountNotSucceeded(string[] ids)
    {
        using var connection = storage.GetConnection();
        return ids.Count(id => connection.GetStateData(id)?.Name != SucceededState.StateName);
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <param name="sorted">Values in ascending order.</param>
    private static double NearestRank(double[] sorted, double percentile) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)], 3);
}
