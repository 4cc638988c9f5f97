namespace Hangfire.Comparison;

/// <summary>The figures of one run, printed as one JSON line; named like BenchResult's where they mean the same.</summary>
public sealed record ComparisonResult
{
    public string Tool { get; init; } = "hangfire";
    public required string Storage { get; init; }
    public int Jobs { get; init; }
    public int Concurrency { get; init; }
    public int Workers { get; init; }
    public int Warmup { get; init; }
    public double SubmitSeconds { get; init; }
    public double SubmitJobsPerSecond { get; init; }
    public double SubmitP50Ms { get; init; }
    public double SubmitP99Ms { get; init; }

    /// <summary>First enqueue to the poll that saw the last job succeeded (polled every 50 ms).</summary>
    public double E2eSeconds { get; init; }
    public double E2eJobsPerSecond { get; init; }

    /// <summary>Process CPU time over the timed part (enqueuers, server and storage client in one process).</summary>
    public double CpuSeconds { get; init; }
    public double PeakWorkingSetMb { get; init; }

    /// <summary>Timed jobs not in the Succeeded state at the end: must be 0.</summary>
    public int Lost { get; init; }
    public int Cores { get; init; }
    public required string Date { get; init; }
}
