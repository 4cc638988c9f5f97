using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// A fresh cluster prepares its statements while its tables are empty. PostgreSQL may then settle on one plan for
/// every later call, chosen for an empty table: measured, the batched read of task state went on scanning every row
/// of the service until autovacuum's first ANALYZE, a minute or more later (REST submit p50 29-36 ms instead of 6-9 ms).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStatementPlanTests(PostgresFixture postgres)
{
    private const string ServiceId = "plans";
    private const int Rows = 20_000;
    private static readonly string[] TaskStateNames = ["task"];

    [Fact]
    public async Task A_read_prepared_while_the_table_was_empty_still_finds_its_rows_by_key_once_the_table_is_full()
    {
        var connectionString = await postgres.CreateDatabaseAsync("plans_" + Guid.NewGuid().ToString("N")[..12]);
        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(connectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
        var effective = new TaskEngineDatabaseOptions { ConnectionString = connectionString }.EffectiveConnectionString();
        await using var source = NpgsqlDataSource.Create(effective);
        await using var connection = await source.OpenConnectionAsync();

        // No statistics during the test: autovacuum's ANALYZE would replace the plan (and it is DDL, so first).
        await ExecuteAsync(connection, "ALTER TABLE taskengine_grain_state SET (autovacuum_enabled = false)");

        // As the storage does on a new cluster: the same statement again and again on one connection, table empty.
        for (var i = 0; i < 12; i++)
        {
            await ReadAsync(connection, $"missing-{i}");
        }

        await ExecuteAsync(connection, $"""
            INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload)
            SELECT '{ServiceId}', 'task', 'task/' || g, 1, '\x00'::bytea FROM generate_series(1, {Rows}) AS g
            """);

        await using var transaction = await connection.BeginTransactionAsync();
        Assert.Equal(1, await ReadAsync(connection, "task/1"));
        await using var stats = new NpgsqlCommand(
            "SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'taskengine_grain_state'", connection);
        var tuplesRead = Convert.ToInt64(await stats.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(tuplesRead < 100, $"reading one task's state read {tuplesRead} of the table's {Rows} rows");
    }

    [Fact]
    public async Task A_page_of_a_long_queue_reads_about_the_page_wherever_it_starts()
    {
        var connectionString = await postgres.CreateDatabaseAsync("pages_" + Guid.NewGuid().ToString("N")[..12]);
        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(connectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
        var effective = new TaskEngineDatabaseOptions { ConnectionString = connectionString }.EffectiveConnectionString();
        await using var source = NpgsqlDataSource.Create(effective);
        await using var connection = await source.OpenConnectionAsync();

        // 20,000 unfinished tasks over the four priorities (priority g % 4, sequence g), and as many finished ones.
        await ExecuteAsync(connection, $"""
            INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at)
            SELECT '{ServiceId}', 'task-' || g, 'long', g % 4, g, CASE WHEN g > {Rows} THEN now() END
            FROM generate_series(1, {2 * Rows}) AS g
            """);
        await ExecuteAsync(connection, "ANALYZE taskengine_queue_records");

        // Near the end of priority 2 (high): its last 249 tasks, then the first 251 of priority 1.
        await using var transaction = await connection.BeginTransactionAsync();
        var page = await PageAsync(connection, after: (2, 19_002, "task-19002"));
        Assert.Equal(500, page.Count);
        Assert.Equal("task-19006", page[0]);
        Assert.Equal("task-19998", page[248]);
        Assert.Equal("task-1", page[249]);
        Assert.Equal("task-1001", page[^1]);
        await using var stats = new NpgsqlCommand(
            "SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'taskengine_queue_records'", connection);
        var tuplesRead = Convert.ToInt64(await stats.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(tuplesRead < 2_000, $"a page of 500 read {tuplesRead} of the table's {2 * Rows} rows");
    }

    [Fact]
    public async Task A_search_page_reads_an_index_whatever_its_filters_over_a_hundred_thousand_tasks()
    {
        const int tasks = 100_000;
        var connectionString = await postgres.CreateDatabaseAsync("search_" + Guid.NewGuid().ToString("N")[..12]);
        await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(connectionString, SchemaScripts.DefaultDirectory, CancellationToken.None);
        var effective = new TaskEngineDatabaseOptions { ConnectionString = connectionString }.EffectiveConnectionString();
        await using var source = NpgsqlDataSource.Create(effective);
        await using var connection = await source.OpenConnectionAsync();

        // Two tasks a second; mostly completed (1 % each failed, running, pending); 20 types, 10 queues, 50 users (a
        // third of the tasks without one), 100 tags; one event each. Another service's rows beside them.
        await ExecuteAsync(connection, $"""
            INSERT INTO taskengine_task_summaries (service_id, task_id, created_at, type, queue, priority, status, attempts, created_by, tags)
            SELECT CASE WHEN g % 10 = 9 THEN 'other' ELSE '{ServiceId}' END, 'task-' || g,
                timestamptz '2026-01-01 00:00:00+00' + (g / 2) * interval '1 second',
                'type-' || g % 20, 'queue-' || g % 10, 1,
                CASE g % 100 WHEN 0 THEN 'failed' WHEN 1 THEN 'running' WHEN 2 THEN 'pending' ELSE 'completed' END, 1,
                CASE WHEN g % 3 = 0 THEN NULL ELSE 'user-' || g % 50 END, ARRAY['tag-' || g % 100, 'all']
            FROM generate_series(1, {tasks}) AS g
            """);
        await ExecuteAsync(connection, """
            UPDATE taskengine_task_summaries
            SET events = '{"seq":1,"at":"' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '","kind":"transition","status":"pending","attempt":0}' || chr(10),
                audited_through = 1,
                finished_at = CASE WHEN status IN ('completed', 'failed') THEN created_at + interval '1 second' END,
                last_error_at = CASE WHEN status = 'failed' THEN created_at + interval '1 second' END,
                outcome = CASE WHEN status IN ('completed', 'failed', 'cancelled') THEN status END
            """);
        await ExecuteAsync(connection, "ANALYZE taskengine_task_summaries");

        var middle = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(tasks / 4);
        var cursor = new TaskSearchCursor(middle, "task-50000");
        TaskSearchQuery[] queries =
        [
            new(),
            new() { After = cursor },
            new() { Status = TaskState.Failed },
            new() { Status = TaskState.Completed, After = cursor },
            new() { Status = TaskState.Running, After = cursor },
            new() { Type = "type-5" },
            new() { Type = "type-5", Queue = "queue-5", After = cursor },
            new() { Type = "type-5", Queue = "queue-6" }, // no task has both: the pair's own index finds none at once
            new() { Queue = "queue-3", After = cursor },
            new() { CreatedBy = "user-7" },
            new() { CreatedBy = "user-7", After = cursor },
            new() { Tag = "tag-42" },
            new() { Tag = "tag-42", After = cursor },
            new() { From = middle.AddHours(-1), To = middle },
            new() { Status = TaskState.Failed, From = middle.AddHours(-1), To = middle, After = cursor },
        ];

        var failures = new List<string>();
        foreach (var query in queries.Select(q => q with { Limit = TaskSearchQuery.DefaultLimit }))
        {
            var plan = await PlanAsync(connection, "EXPLAIN " + PostgresTaskHistory.SearchSql(query), p => PostgresTaskHistory.BindSearch(p, query));
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);

            // And it reads about its page: a filter's own index stops at the page's end; a tag's reads the tag's tasks.
            // (The counts not yet flushed include the statements before; hence the difference.)
            await using var transaction = await connection.BeginTransactionAsync();
            await using var stats = new NpgsqlCommand(
                "SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'taskengine_task_summaries'", connection);
            var before = Convert.ToInt64(await stats.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            await using (var search = new NpgsqlCommand(PostgresTaskHistory.SearchSql(query), connection))
            {
                search.Parameters.AddWithValue("service", ServiceId);
                PostgresTaskHistory.BindSearch(search.Parameters, query);
                await using var reader = await search.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }

            var tuplesRead = Convert.ToInt64(await stats.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) - before;
            // A tag is a GIN filter or a filter on the newest-first scan: up to about a page over the tag's share (1 %).
            var bound = query.Tag is null ? 2_500 : 10_000;
            if (tuplesRead >= bound)
            {
                failures.Add($"a page of {query} read {tuplesRead} of {tasks} rows:\n{plan}");
            }
        }

        Assert.Empty(failures);

        var purge = await PlanAsync(connection, "EXPLAIN " + PostgresTaskHistory.PurgeSql, p =>
        {
            p.AddWithValue("before", middle.UtcDateTime);
            p.AddWithValue("limit", 1_000);
        });
        Assert.False(purge.Contains("Seq Scan", StringComparison.Ordinal), purge);

        // The report of an hour reads that hour's finished and failed rows through their partial indexes.
        var report = await PlanAsync(connection, "EXPLAIN " + PostgresTaskHistory.ReportSql, p =>
        {
            p.AddWithValue("from", middle.AddHours(-1).UtcDateTime);
            p.AddWithValue("to", middle.UtcDateTime);
        });
        Assert.False(report.Contains("Seq Scan", StringComparison.Ordinal), report);
        Assert.Contains("taskengine_task_summaries_finished", report, StringComparison.Ordinal);
        Assert.Contains("taskengine_task_summaries_failed", report, StringComparison.Ordinal);

        // The failure-ratio alerts' count reads the window's finishes through their partial index.
        var count = await PlanAsync(connection, "EXPLAIN " + PostgresTaskHistory.CountFinishedSql, p =>
        {
            p.AddWithValue("from", middle.AddHours(-1).UtcDateTime);
            p.AddWithValue("to", middle.UtcDateTime);
        });
        Assert.False(count.Contains("Seq Scan", StringComparison.Ordinal), count);
        Assert.Contains("taskengine_task_summaries_finished", count, StringComparison.Ordinal);

        // So does the dashboard's count per minute.
        var perMinute = await PlanAsync(connection, "EXPLAIN " + PostgresTaskHistory.CountFinishedByMinuteSql, p =>
        {
            p.AddWithValue("from", middle.AddMinutes(-15).UtcDateTime);
            p.AddWithValue("to", middle.UtcDateTime);
        });
        Assert.False(perMinute.Contains("Seq Scan", StringComparison.Ordinal), perMinute);
        Assert.Contains("taskengine_task_summaries_finished", perMinute, StringComparison.Ordinal);
    }

    private static async Task<string> PlanAsync(NpgsqlConnection connection, string sql, Action<NpgsqlParameterCollection> bind)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("service", ServiceId);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private static async Task<List<string>> PageAsync(NpgsqlConnection connection, (int Priority, long Seq, string Task) after)
    {
        await using var command = new NpgsqlCommand(PostgresQueueIndex.UnfinishedAfterSql, connection);
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("queue", "long");
        command.Parameters.AddWithValue("limit", 500);
        command.Parameters.AddWithValue("priority", after.Priority);
        command.Parameters.AddWithValue("seq", after.Seq);
        command.Parameters.AddWithValue("task", after.Task);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task<int> ReadAsync(NpgsqlConnection connection, string grainId)
    {
        await using var command = new NpgsqlCommand(PostgresGrainStorage.ReadSql, connection);
        command.Parameters.AddWithValue("service", ServiceId);
        command.Parameters.AddWithValue("names", TaskStateNames);
        command.Parameters.AddWithValue("ids", new[] { grainId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
