using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Storage.Sqlite;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The SQLite store's upkeep: a backup taken while the engine runs, free pages given back after purges, and the move
/// to PostgreSQL that keeps a user's queue.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SqliteUpkeepTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskengine-upkeep-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the system's temporary-file cleanup.
        }
    }

    [Fact]
    public async Task A_backup_taken_while_the_engine_runs_holds_every_task_stored_before_it()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (host)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var api = new TaskEngineHttpClient(http);
            var ids = new List<string>();
            for (var i = 0; i < 100; i++)
            {
                ids.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { i }) })).Id);
            }

            await using var backup = EngineProcess.StartIn(_folder, "Orleans.TaskEngine.Api", new Dictionary<string, string>(), "backup", "copy.db");
            await backup.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(backup.ExitCode == 0, backup.Tail());
            Assert.Contains(backup.Output, l => l.Contains("backup: ", StringComparison.Ordinal) && l.Contains("copy.db", StringComparison.Ordinal));
            Assert.False(host.HasExited);

            // The copy is a database of its own, with every task the engine had accepted.
            using var copy = new SqliteConnection($"Data Source={Path.Combine(_folder, "copy.db")};Mode=ReadOnly;Pooling=False");
            copy.Open();
            using var command = copy.CreateCommand();
            command.CommandText = "SELECT grain_id FROM taskengine_grain_state WHERE state_name = 'task'";
            var stored = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    stored.Add(reader.GetString(0));
                }
            }

            Assert.All(ids, id => Assert.Contains(stored, g => g.EndsWith("/" + id, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Pages_freed_by_purges_are_given_back_so_the_file_does_not_keep_its_largest_size()
    {
        var file = Path.Combine(_folder, "vacuum.db");
        long full;
        await using (var database = SqliteFileFixture.Open(file))
        {
            var payload = new byte[4096];
            for (var batch = 0; batch < 20; batch++)
            {
                var first = batch * 100;
                await database.WriteAsync(w =>
                {
                    for (var i = first; i < first + 100; i++)
                    {
                        w.Execute(
                            "INSERT INTO taskengine_grain_state (service_id, state_name, grain_id, version, payload, modified_on) VALUES ('s', 'task', $g, 1, $p, 0)",
                            ("$g", i.ToString(CultureInfo.InvariantCulture)), ("$p", payload));
                    }

                    return true;
                });
            }

            // Nothing free yet; the checkpoint brings the whole log into the file.
            Assert.Equal(0L, await database.ReclaimFreePagesAsync());
            full = new FileInfo(file).Length;
            await database.WriteAsync(w => w.Execute("DELETE FROM taskengine_grain_state"));
            Assert.True(await database.ReclaimFreePagesAsync() > 1_000);
            Assert.Equal(0L, await database.WriteAsync(w => (long)w.Scalar("PRAGMA freelist_count")!));
        }

        Assert.True(full > 8_000_000, $"the full file was {full} bytes");
        Assert.True(new FileInfo(file).Length < full / 4, $"{new FileInfo(file).Length} bytes after the purge, {full} before");
    }

    [Fact]
    public async Task Migrate_moves_finished_and_waiting_tasks_into_postgres_where_the_waiting_ones_then_run()
    {
        var runAt = DateTimeOffset.UtcNow.AddSeconds(20);
        var finished = new List<string>();
        var waiting = new List<string>();
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var api = new TaskEngineHttpClient(http);
            for (var i = 0; i < 20; i++)
            {
                var task = await api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { i }) }, TimeSpan.FromSeconds(30));
                Assert.Equal(TaskState.Completed, task!.Status);
                finished.Add(task.Id);
            }

            for (var i = 0; i < 30; i++)
            {
                waiting.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { later = i }), RunAt = runAt })).Id);
            }

            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        var target = await postgres.CreateDatabaseAsync("migrate_" + Guid.NewGuid().ToString("N")[..12]);
        await using (var migrate = EngineProcess.StartIn(_folder, "Orleans.TaskEngine.Api", new Dictionary<string, string>(), "migrate", "--to", target))
        {
            await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.True(migrate.ExitCode == 0, migrate.Tail());
            Assert.Contains(migrate.Output, l => l.Contains("taskengine_grain_state: ", StringComparison.Ordinal));
        }

        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(
            new Dictionary<string, string> { ["TaskEngine__Storage"] = "Postgres", ["ConnectionStrings__TaskEngine"] = target },
            workingDirectory: _folder);
        await using (second)
        {
            Assert.DoesNotContain(second.Output, l => l.Contains("SQLite file", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = again };
            var api = new TaskEngineHttpClient(http);
            foreach (var id in finished)
            {
                Assert.Equal(TaskState.Completed, (await api.GetAsync(id))!.Status);
                var history = await http.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}/history");
                Assert.True(history.GetProperty("events").GetArrayLength() >= 3, history.ToString());
            }

            foreach (var id in waiting)
            {
                var task = await api.WaitAsync(id, TimeSpan.FromSeconds(120));
                Assert.Equal(TaskState.Completed, task!.Status);
                Assert.True(task.StartedAt >= runAt.AddMilliseconds(-1));
            }
        }
    }
}
