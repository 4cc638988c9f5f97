namespace Orleans.TaskEngine.Bench.History;

/// <summary>One kind of search: its page latency in milliseconds.</summary>
public sealed record HistorySearchKind(string Query, double P50Ms, double P99Ms, double MaxMs);
