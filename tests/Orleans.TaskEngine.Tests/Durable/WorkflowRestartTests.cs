using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Tests.Schedules;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// The whole durable cluster (two silo processes and the API host in Client mode on PostgreSQL) stopped and started
/// again with a schedule, a batch with a callback and delayed tasks waiting: after the restart each runs as it should.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkflowRestartTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_schedule_a_batch_and_delayed_tasks_waiting_across_a_whole_cluster_restart_all_run_as_they_should()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, $"flow_{Guid.NewGuid():N}"[..20], silos: 2);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var http = cluster.ApiHttp;
            var schedule = await http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo"}}""");
            var firedBefore = (await http.RunsUntilAsync(schedule.Id, 2, Deadline)).Length;

            // Delayed work that is still waiting when every process stops: five tasks, and a batch whose three members wait too.
            var delayed = new List<TaskAccepted>();
            var submittedAt = DateTimeOffset.UtcNow;
            for (var i = 0; i < 5; i++)
            {
                delayed.Add(await cluster.Api.SubmitAsync(new SubmitTaskRequest { Type = "echo", DelaySeconds = 20, Payload = JsonSerializer.SerializeToElement(new { i }) }));
            }

            const string batchBody = """
                {"tasks": [{"type": "echo", "delaySeconds": 20}, {"type": "echo", "delaySeconds": 20}, {"type": "echo", "delaySeconds": 20}],
                 "callback": {"type": "echo", "payload": {"after": "restart"}}}
                """;
            using var accepted = await http.PostAsync("/api/tasks/batch", new StringContent(batchBody, Encoding.UTF8, "application/json"));
            var acceptedText = await accepted.Content.ReadAsStringAsync();
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, acceptedText);
            var batchId = JsonDocument.Parse(acceptedText).RootElement.GetProperty("batchId").GetString()!;

            await cluster.StopAllAsync();
            await cluster.StartAllAsync(silos: 2);

            // The schedule: woken by the keeper, firing on time again.
            await http.FiringSoonAsync(schedule.Id);
            Assert.True((await http.RunsUntilAsync(schedule.Id, firedBefore + 2, Deadline)).Length >= firedBefore + 2);

            // The delayed tasks: each completes once, never before its time.
            foreach (var task in delayed)
            {
                var done = await cluster.Api.WaitAsync(task.Id, Deadline);
                Assert.True(done is { Status: TaskState.Completed, Attempts: 1 }, ProcessClusterExtensions.Describe(done));
                // Its time is 20 s after its submit (a second of slack for the clocks of two processes).
                Assert.True(done!.StartedAt >= submittedAt.AddSeconds(19), $"{task.Id} started at {done.StartedAt}, before its time ({submittedAt} + 20 s)");
            }

            // The batch: finished, every member counted, its callback run once.
            var batch = await Eventually.Until(
                async () => JsonDocument.Parse(await http.GetStringAsync($"/api/batches/{batchId}")).RootElement,
                b => b.GetProperty("finished").GetBoolean(), Deadline, $"batch {batchId} finished");
            Assert.Equal(3, batch.GetProperty("counts").GetProperty("completed").GetInt32());
            var callback = await cluster.Api.WaitAsync(batch.GetProperty("callbackTaskId").GetString()!, Deadline);
            Assert.True(callback is { Status: TaskState.Completed, Attempts: 1 }, ProcessClusterExtensions.Describe(callback));
            Assert.Equal("restart", callback!.Result!.Value.GetProperty("payload").GetProperty("after").GetString());
            await http.CommandAsync(schedule.Id, "pause");
        });
    }
}
