namespace Orleans.TaskEngine.Bench.History;

/// <summary>The purge of every seeded row in the purger's batches of 1,000: rows, seconds, and each batch's time.</summary>
public sealed record HistoryPurgeResult(int Rows, double Seconds, double ChunkP50Ms, double ChunkP99Ms, double ChunkMaxMs);
