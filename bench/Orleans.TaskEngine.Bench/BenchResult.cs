using System.Text.Json.Serialization;

namespace Orleans.TaskEngine.Bench;

/// <summary>The figures of one run, printed as one JSON line.</summary>
public sealed record BenchResult
{
    public int Tasks { get; init; }
    public required string Target { get; init; }
    public required string Storage { get; init; }
    public required string Handler { get; init; }
    /// <summary>Whether the hosted engine wrote its audit log (null for a REST target: the server's setting).</summary>
    public bool? History { get; init; }
    public int Concurrency { get; init; }

    /// <summary>Agents target only (absent otherwise, so other lines keep their shape).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Agents { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? AgentConcurrency { get; init; }

    public double? Rate { get; init; }
    public int PayloadBytes { get; init; }
    public int Preload { get; init; }
    public int Warmup { get; init; }
    public double SubmitSeconds { get; init; }
    public double SubmitTasksPerSecond { get; init; }
    public double SubmitP50Ms { get; init; }
    public double SubmitP95Ms { get; init; }
    public double SubmitP99Ms { get; init; }
    public double E2eSeconds { get; init; }
    public double E2eTasksPerSecond { get; init; }
    public double DispatchP50Ms { get; init; }
    public double DispatchP95Ms { get; init; }
    public double DispatchP99Ms { get; init; }
    public double CompletionP50Ms { get; init; }
    public double CompletionP99Ms { get; init; }
    public double? PeakWorkingSetMb { get; init; }
    public double? CpuSeconds { get; init; }

    /// <summary>Bytes allocated in the tool's process per task, in KiB (hosted targets only).</summary>
    public double? AllocatedKbPerTask { get; init; }

    /// <summary>Submitted tasks not seen completed: must be 0.</summary>
    public int Lost { get; init; }

    /// <summary>Submits answered 429 and retried after Retry-After (REST target).</summary>
    public int Throttled { get; init; }

    public int Cores { get; init; }
    public required string Date { get; init; }
}
