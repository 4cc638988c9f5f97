namespace Orleans.TaskEngine.Bench.History;

/// <summary>What <c>--history-search</c> prints: the seeded size, and page latencies per kind of search and overall.</summary>
public sealed record HistorySearchResult(int Tasks, double SeedSeconds, int PagesPerKind, IReadOnlyList<HistorySearchKind> Kinds, double P50Ms, double P99Ms, HistoryPurgeResult Purge, string Date);
