using System.Net.Http.Json;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The default API host as a user runs it (no settings: a SQLite file under its working directory), as real processes:
/// killed and started again with the same command, stopped and started, refused a damaged file or a second process.
/// </summary>
public sealed class SqliteProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskengine-default-").FullName;

    private string DatabaseFile => Path.Combine(_folder, "data", "taskengine.db");

    public void Dispose()
    {
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
    public async Task Killed_mid_run_and_started_again_every_accepted_task_completes_and_the_running_ones_run_a_second_time()
    {
        var ids = new List<string>();
        HashSet<string> runningAtKill;
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (first)
        {
            Assert.Contains(first.Output, l => l.Contains($"Tasks are stored in the SQLite file {DatabaseFile}: they survive a restart", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = baseUrl };
            var api = new TaskEngineHttpClient(http);
            for (var i = 0; i < 1_000; i++)
            {
                ids.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms = 200 }) })).Id);
            }

            // Mid-run: some finished, some running.
            await Eventually.Until(() => CountAsync(http, "completed"), n => n >= 50, TimeSpan.FromSeconds(60), "50 completed tasks");
            runningAtKill = await IdsAsync(http, "running");
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.NotEmpty(runningAtKill);
        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = again };
            var api = new TaskEngineHttpClient(http);
            var attempts = new Dictionary<string, int>();
            foreach (var id in ids)
            {
                var task = await api.WaitAsync(id, TimeSpan.FromSeconds(120));
                Assert.True(task is { Status: TaskState.Completed }, $"task {id} is {task?.Status.ToString() ?? "gone"} after the restart");
                attempts[id] = task!.Attempts;
            }

            // A task seen running just before the kill either finished in that moment (one attempt) or ran again.
            Assert.Contains(runningAtKill, id => attempts[id] == 2);
            Assert.All(attempts.Values, a => Assert.InRange(a, 1, 2));
        }
    }

    [Fact]
    public async Task Delayed_and_dependent_tasks_wait_across_a_clean_stop_and_start_and_run_when_and_in_the_order_they_should()
    {
        var runAt = DateTimeOffset.UtcNow.AddSeconds(25);
        var delayed = new List<string>();
        var chains = new List<(string Parent, string Child)>();
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            var api = new TaskEngineHttpClient(http);
            for (var i = 0; i < 250; i++)
            {
                delayed.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { i }), RunAt = runAt })).Id);
            }

            // Each child depends on a delayed parent: it may run only after its parent completed.
            for (var i = 0; i < 250; i++)
            {
                var child = await api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { child = i }), DependsOn = [delayed[i]] });
                chains.Add((delayed[i], child.Id));
            }

            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = again };
            var api = new TaskEngineHttpClient(http);
            foreach (var (parent, child) in chains)
            {
                var p = await api.WaitAsync(parent, TimeSpan.FromSeconds(120));
                var c = await api.WaitAsync(child, TimeSpan.FromSeconds(120));
                Assert.Equal(TaskState.Completed, p!.Status);
                Assert.Equal(TaskState.Completed, c!.Status);

                // Not before its time (the store keeps microseconds at least), and the child after its parent.
                Assert.True(p.StartedAt >= runAt.AddMilliseconds(-1), $"{parent} started at {p.StartedAt:O}, before {runAt:O}");
                Assert.True(c.StartedAt >= p.FinishedAt, $"{child} started at {c.StartedAt:O}, before its parent finished at {p.FinishedAt:O}");
            }
        }
    }

    [Fact]
    public async Task A_damaged_database_file_stops_the_start_with_its_name_and_is_left_as_it_was()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabaseFile)!);
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(DatabaseFile, garbage);

        await using var host = StartHost();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(host.Output, l => l.Contains($"The task database {DatabaseFile} is damaged or is not a SQLite database", StringComparison.Ordinal));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(DatabaseFile));
    }

    [Fact]
    public async Task A_database_path_that_cannot_be_opened_for_writing_stops_the_start_with_its_name_and_what_to_do()
    {
        // A folder where the file should be: SQLite cannot open it (as root, permission bits would not stop a write).
        Directory.CreateDirectory(DatabaseFile);

        await using var host = StartHost();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(host.Output, l => l.Contains($"Cannot open the task database {DatabaseFile}", StringComparison.Ordinal) && l.Contains("writable", StringComparison.Ordinal));
        Assert.True(Directory.Exists(DatabaseFile));
    }

    [Fact]
    public async Task A_second_host_on_the_same_file_is_refused_at_once_naming_the_file_and_the_process_that_holds_it()
    {
        var (first, _) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder);
        await using (first)
        {
            await using var second = StartHost();
            await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains(second.Output, l => l.Contains($"The task database {DatabaseFile} is in use by process {first.ProcessId}", StringComparison.Ordinal));
            Assert.False(first.HasExited);
        }
    }

    [Fact]
    public async Task Client_mode_on_the_sqlite_store_is_refused_at_start_saying_what_to_set()
    {
        await using var host = StartHost(("TaskEngine__Api__Mode", "Client"));
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(host.Output, l => l.Contains("Client mode (TaskEngine:Api:Mode=Client) needs a cluster of silos", StringComparison.Ordinal));
        Assert.False(File.Exists(DatabaseFile));
    }

    /// <summary>The API host in this test's folder with no storage setting, on free ports, not waited for (it may refuse to start).</summary>
    private EngineProcess StartHost(params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["TaskEngine__Cluster__SiloPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TaskEngine__Cluster__GatewayPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return EngineProcess.StartIn(_folder, "Orleans.TaskEngine.Api", environment, "--urls", $"http://127.0.0.1:{EngineProcess.FreePort()}");
    }

    private static async Task<int> CountAsync(HttpClient http, string status) => (await IdsAsync(http, status)).Count;

    private static async Task<HashSet<string>> IdsAsync(HttpClient http, string status)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/tasks?status={status}&limit=500" + (cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}"));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                ids.Add(item.GetProperty("id").GetString()!);
            }

            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return ids;
    }
}
