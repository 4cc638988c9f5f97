using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The durable cluster as it runs in production: silo processes and the API host in Client mode on PostgreSQL, each
/// test on its own database. Processes are killed, stopped and restarted; the database is restarted under load.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashSafetyTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_silo_mid_run_loses_no_task_and_its_tasks_rerun_on_the_other_silo_within_30_seconds()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, NewName("crash"), silos: 2);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var victim = cluster.Silos[1];

            var ids = await cluster.Api.SubmitDelaysAsync(2000, ms: 200);

            // Mid-run: a good share done. Then a few urgent 10-second tasks, which go next: waiting until one of them
            // runs on the victim makes sure the kill interrupts work there (200 ms tasks are too brief to catch).
            await Eventually.Until(() => cluster.ApiHttp.GetWorkersAsync(), workers => workers.Sum(w => w.GetProperty("completed").GetInt64()) >= 500,
                TimeSpan.FromSeconds(90), "500 tasks completed");
            var anchors = (await cluster.Api.SubmitBatchAsync([.. Enumerable.Range(0, 10).Select(_ => Delay(10_000) with { Priority = "urgent" })]))
                .Select(a => a.Id).ToList();
            await Eventually.Until(async () => (await Task.WhenAll(anchors.Select(id => cluster.Api.GetAsync(id)))).Any(t => t is { Status: TaskState.Running } && victim.Is(t.Silo)),
                running => running, TimeSpan.FromSeconds(60), "an urgent task running on the victim");
            victim.Process.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            ids.AddRange(anchors);

            var tasks = await cluster.Api.WaitAllAsync(ids, TimeSpan.FromSeconds(150));
            var lost = tasks.Where(t => t.Value is null).Select(t => t.Key).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} tasks lost, e.g. {string.Join(", ", lost.Take(5))}");
            var notCompleted = tasks.Values.Where(t => t!.Status != TaskState.Completed).ToList();
            Assert.True(notCompleted.Count == 0, $"{notCompleted.Count} tasks not completed, e.g. {Describe(notCompleted.FirstOrDefault())}");

            // Interrupted: started on the victim and finished elsewhere.
            var interrupted = tasks.Values.Select(t => t!)
                .Where(t => t.History.Any(e => e.Status == TaskState.Running && victim.Is(e.Silo)) && !victim.Is(t.Silo))
                .ToList();
            Assert.True(interrupted.Count > 0, "no task was running on the victim when it was killed: the test proved nothing");
            var rerunDelays = interrupted.Select(t => t.History.Last(e => e.Status == TaskState.Running).At - killedAt).ToList();
            var late = interrupted.Zip(rerunDelays).Where(p => p.Second >= TimeSpan.FromSeconds(30)).ToList();
            Assert.True(late.Count == 0, $"{late.Count} of {interrupted.Count} interrupted tasks re-ran 30 s or more after the kill, e.g. {Describe(late.FirstOrDefault().First)}");
            Assert.All(interrupted, t => Assert.True(t.Attempts >= 2, Describe(t)));

            // The audit log was written with each state: the kill lost none of its events, and the re-runs added none twice.
            await AuditLogCheck.AssertEveryEventLoggedOnceAsync(cluster.ApiHttp, [.. tasks.Values.Select(t => t!)]);
            output.WriteLine($"{ids.Count} tasks completed; {interrupted.Count} interrupted by the kill re-ran after {rerunDelays.Min().TotalSeconds:F1}..{rerunDelays.Max().TotalSeconds:F1} s; " +
                $"{tasks.Values.Count(t => t!.Attempts > 1)} ran more than once");
        });
    }

    [Fact]
    public async Task Stopping_every_process_with_500_tasks_unfinished_and_starting_again_completes_all_500()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, NewName("restart"), silos: 2);
        await cluster.ExplainFailuresAsync(async () =>
        {

            // 500 one-second tasks on 40 slots take over 12 s: most are still pending when everything stops.
            var ids = await cluster.Api.SubmitDelaysAsync(500, ms: 1000);
            await Eventually.Until(() => cluster.ApiHttp.GetWorkersAsync(), workers => workers.Sum(w => w.GetProperty("runningTaskIds").GetArrayLength()) > 0,
                TimeSpan.FromSeconds(30), "tasks running");
            var stoppedAt = DateTimeOffset.UtcNow;
            await cluster.StopAllAsync();

            // Every old process has exited: whatever finishes from here on was run by the restarted cluster.
            var restartedAt = DateTimeOffset.UtcNow;
            await cluster.StartAllAsync(silos: 2);

            var tasks = await cluster.Api.WaitAllAsync(ids, TimeSpan.FromSeconds(120));
            Assert.All(tasks, t => Assert.Equal(TaskState.Completed, Assert.IsType<TaskResource>(t.Value).Status));
            var finishedAfterRestart = tasks.Values.Count(t => t!.FinishedAt > restartedAt);
            Assert.True(finishedAfterRestart > 0, "every task had finished before the restart: the test proved nothing");
            output.WriteLine($"{tasks.Values.Count(t => t!.FinishedAt > stoppedAt)} of 500 tasks finished after the stop began, {finishedAfterRestart} after the restart; " +
                $"the last {(tasks.Values.Max(t => t!.FinishedAt)!.Value - restartedAt).TotalSeconds:F1} s after it");
        });
    }

    [Fact]
    public async Task Restarting_PostgreSQL_under_load_refuses_submits_with_503_meanwhile_and_loses_no_accepted_task()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, NewName("pgrestart"), silos: 2);
        try
        {
            await cluster.ExplainFailuresAsync(async () =>
            {
                var accepted = await cluster.Api.SubmitDelaysAsync(600, ms: 200);
                await Eventually.Until(() => cluster.ApiHttp.GetWorkersAsync(), workers => workers.Sum(w => w.GetProperty("completed").GetInt64()) >= 100,
                    TimeSpan.FromSeconds(60), "100 tasks completed");

                await postgres.Server.StopAsync();
                DateTimeOffset restartedAt;
                var refusedKeys = new List<string>();
                try
                {
                    // Every submit while the database is down is refused, quickly and clearly.
                    for (var i = 0; i < 5; i++)
                    {
                        var key = $"outage-{i}";
                        var started = DateTimeOffset.UtcNow;
                        var error = await Assert.ThrowsAsync<TaskEngineApiException>(() => cluster.Api.SubmitAsync(Delay(50), idempotencyKey: key));
                        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
                        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(20), $"a refused submit took {DateTimeOffset.UtcNow - started}");
                        refusedKeys.Add(key);
                    }
                }
                finally
                {
                    await postgres.Server.StartAgainAsync();
                    restartedAt = DateTimeOffset.UtcNow;
                }

                // The engine recovers by itself: submits are accepted again without restarting anything.
                var first = await Eventually.Until(() => TrySubmitAsync(cluster.Api, Delay(50), "after-1"), id => id is not null,
                    TimeSpan.FromSeconds(60), "a submit accepted after the database is back");
                accepted.Add(first!);
                accepted.AddRange(await cluster.Api.SubmitDelaysAsync(100, ms: 50));

                // Nothing was half-written by a refused submit: its idempotency key now makes a new task.
                foreach (var key in refusedKeys)
                {
                    var retried = await cluster.Api.SubmitAsync(Delay(50), idempotencyKey: key);
                    var task = await cluster.Api.GetAsync(retried.Id);
                    Assert.True(task!.CreatedAt >= restartedAt, $"refused submit {key} left task {retried.Id} created at {task.CreatedAt}, before the database came back at {restartedAt}");
                    accepted.Add(retried.Id);
                }

                var tasks = await cluster.Api.WaitAllAsync(accepted, TimeSpan.FromSeconds(120));
                Assert.All(tasks, t => Assert.Equal(TaskState.Completed, Assert.IsType<TaskResource>(t.Value).Status));
                await AuditLogCheck.AssertEveryEventLoggedOnceAsync(cluster.ApiHttp, [.. tasks.Values.Select(t => t!)]);
                output.WriteLine($"{accepted.Count} accepted tasks completed; the last finished {(tasks.Values.Max(t => t!.FinishedAt)!.Value - restartedAt).TotalSeconds:F1} s after the database came back");
            });
        }
        finally
        {
            await postgres.Server.StartAgainAsync();

            // This process's own pooled connections (other tests' in-process silos) died with the server.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task A_third_silo_started_later_joins_and_its_workers_run_tasks_on_a_schema_the_silos_created()
    {
        // No init-db here: the silos apply the schema themselves (TaskEngine:Database:InitializeOnStart).
        await using var cluster = await ProcessCluster.StartAsync(postgres, NewName("scaleout"), silos: 2, initializeOnStart: true);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var third = await cluster.StartSiloAsync();
            await Eventually.Until(() => cluster.ApiHttp.GetWorkersAsync(), workers => workers.Count(w => third.Is(w.GetProperty("silo").GetString())) == ProcessCluster.WorkersPerSilo,
                TimeSpan.FromSeconds(30), "the third silo's workers registered");

            var ids = await cluster.Api.SubmitDelaysAsync(400, ms: 200);
            var tasks = await cluster.Api.WaitAllAsync(ids, TimeSpan.FromSeconds(90));
            Assert.All(tasks, t => Assert.Equal(TaskState.Completed, Assert.IsType<TaskResource>(t.Value).Status));
            var onThird = tasks.Values.Count(t => third.Is(t!.Silo));
            Assert.True(onThird > 0, "no task ran on the third silo");
            output.WriteLine($"{onThird} of 400 tasks ran on the third silo");
        });
    }

    private static SubmitTaskRequest Delay(int ms) => new() { Type = "delay", Payload = JsonSerializer.SerializeToElement(new { ms }) };

    private static async Task<string?> TrySubmitAsync(TaskEngineHttpClient api, SubmitTaskRequest request, string key)
    {
        try
        {
            return (await api.SubmitAsync(request, idempotencyKey: key)).Id;
        }
        catch (TaskEngineApiException ex) when (ex.Status == HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }
    }

    private static string Describe(TaskResource? task) => ProcessClusterExtensions.Describe(task);

    private static string NewName(string what) => $"{what}_{Guid.NewGuid():N}"[..20];
}
