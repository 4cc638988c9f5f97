using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench.History;

/// <summary>
/// <c>--history-search</c>: seeds the audit log's summaries on PostgreSQL with <c>--tasks</c> incarnations (once; a
/// database that holds them already is reused), then times search pages (<see cref="PostgresTaskHistory.SearchAsync"/>,
/// what <c>GET /api/tasks</c> runs) for each kind of filter, at pages spread over the whole range.
/// </summary>
public static class HistorySearchBench
{
    private const string ServiceId = "bench-search";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<HistorySearchResult> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var connectionString = options.Connection ?? throw new ArgumentException("--history-search needs --connection");
        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance)
            .ApplyAsync(connectionString, Path.Combine(AppContext.BaseDirectory, "sql"), cancellationToken);
        var seedSeconds = await SeedAsync(connectionString, options.Tasks, cancellationToken);

        var history = new PostgresTaskHistory(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = connectionString }),
            Options.Create(new ClusterOptions { ClusterId = "bench", ServiceId = ServiceId }),
            NullLogger<PostgresTaskHistory>.Instance);

        var kinds = new (string Name, Func<Random, TaskSearchQuery> Query)[]
        {
            ("newest", _ => new TaskSearchQuery()),
            ("page", r => new TaskSearchQuery { After = Cursor(r, options.Tasks) }),
            ("status=failed", r => new TaskSearchQuery { Status = TaskState.Failed, After = Cursor(r, options.Tasks) }),
            ("type", r => new TaskSearchQuery { Type = $"type-{r.Next(20)}", After = Cursor(r, options.Tasks) }),
            ("queue+type", r => new TaskSearchQuery { Queue = $"queue-{r.Next(10)}", Type = $"type-{r.Next(20)}", After = Cursor(r, options.Tasks) }),
            ("createdBy", r => new TaskSearchQuery { CreatedBy = $"user-{r.Next(50)}", After = Cursor(r, options.Tasks) }),
            ("tag", r => new TaskSearchQuery { Tag = $"tag-{r.Next(100)}", After = Cursor(r, options.Tasks) }),
            ("status=failed+hour", r =>
            {
                var to = Start.AddSeconds(r.Next(3600, options.Tasks / 2));
                return new TaskSearchQuery { Status = TaskState.Failed, From = to.AddHours(-1), To = to };
            }),
        };

        var random = new Random(42);
        var results = new List<HistorySearchKind>();
        var all = new List<double>();
        foreach (var (name, query) in kinds)
        {
            for (var i = 0; i < options.Warmup; i++)
            {
                await history.SearchAsync(query(random), cancellationToken);
            }

            var times = new List<double>();
            for (var i = 0; i < options.Concurrency; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await history.SearchAsync(query(random), cancellationToken);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            all.AddRange(times);
            results.Add(new HistorySearchKind(name, Percentile(times, 50), Percentile(times, 99), Math.Round(times.Max(), 2)));
        }

        // Then the retention purge of every row, as the purger runs it: batches of 1,000 (one short transaction each).
        var purgeStarted = Stopwatch.GetTimestamp();
        var chunks = new List<double>();
        var purged = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var deleted = await history.PurgeAsync(DateTimeOffset.MaxValue.AddDays(-1), 1_000, cancellationToken);
            chunks.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            purged += deleted;
            if (deleted == 0)
            {
                break;
            }
        }

        var purge = new HistoryPurgeResult(purged, Math.Round(Stopwatch.GetElapsedTime(purgeStarted).TotalSeconds, 1), Percentile(chunks, 50), Percentile(chunks, 99), Math.Round(chunks.Max(), 2));
        return new HistorySearchResult(options.Tasks, seedSeconds, options.Concurrency, results, Percentile(all, 50), Percentile(all, 99), purge, DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static TaskSearchCursor Cursor(Random random, int tasks)
    {
        var g = random.Next(1, tasks);
        return new TaskSearchCursor(Start.AddSeconds(g / 2), $"task-{g}");
    }

    /// <summary>The same shape of data as the statement-plan test: 1 % failed, 20 types, 10 queues, 50 creators, 100 tags.</summary>
    private static async Task<double> SeedAsync(string connectionString, int tasks, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM taskengine_task_summaries WHERE service_id = @s", connection))
        {
            count.Parameters.AddWithValue("s", ServiceId);
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! >= tasks)
            {
                return 0;
            }
        }

        var started = Stopwatch.GetTimestamp();
        await using var seed = new NpgsqlCommand(
            """
            DELETE FROM taskengine_task_summaries WHERE service_id = @s;
            INSERT INTO taskengine_task_summaries
                (service_id, task_id, created_at, type, queue, priority, status, outcome, attempts, created_by, tags)
            SELECT @s, 'task-' || g, timestamptz '2026-01-01 00:00:00+00' + (g / 2) * interval '1 second',
                'type-' || g % 20, 'queue-' || g % 10, 1,
                CASE g % 100 WHEN 0 THEN 'failed' WHEN 1 THEN 'running' WHEN 2 THEN 'pending' ELSE 'completed' END,
                CASE g % 100 WHEN 0 THEN 'failed' WHEN 1 THEN NULL WHEN 2 THEN NULL ELSE 'completed' END, 1,
                CASE WHEN g % 3 = 0 THEN NULL ELSE 'user-' || g % 50 END, ARRAY['tag-' || g % 100, 'all']
            FROM generate_series(1, @n) AS g;
            ANALYZE taskengine_task_summaries;
            """, connection) { CommandTimeout = 1800 };
        seed.Parameters.AddWithValue("s", ServiceId);
        seed.Parameters.AddWithValue("n", tasks);
        await seed.ExecuteNonQueryAsync(cancellationToken);
        return Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
    }

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)], 2);
    }
}
