using System.Text.Json;
using Orleans.TaskEngine.Batches;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>
/// A batch's state is grain state in the configured store: on PostgreSQL it survives a whole-cluster restart half-made
/// (some members submitted and finished, not yet sealed), then finishes, is cancelled and runs its callback once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchPostgresTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task On_PostgreSQL_a_half_made_batch_survives_a_cluster_restart_and_runs_its_callback_once()
    {
        var serviceId = "batches-" + Guid.NewGuid().ToString("N")[..12];
        var batchId = "bat-" + TaskEngineClusterClient.NewTaskId();
        string[] members = [TaskEngineClusterClient.NewTaskId(), TaskEngineClusterClient.NewTaskId(), TaskEngineClusterClient.NewTaskId()];
        var definition = new BatchDefinition
        {
            Members = members,
            Callback = new TaskSubmission { Type = "echo", Payload = """{"to":"ops"}""" },
            Fingerprint = "request-1",
        };

        var first = await PostgresTestCluster.StartAsync(postgres.ConnectionString, serviceId);
        try
        {
            var batch = first.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
            Assert.Equal(BatchCreateOutcome.Created, (await batch.Create(definition)).Outcome);
            foreach (var id in members[..2])
            {
                Assert.True((await first.Engine().SubmitAsync(new TaskSubmission { Type = "echo", BatchId = batchId }, id)).IsAccepted);
            }

            await Eventually.Until(() => batch.Get(), b => b!.Counts.Completed == 2, Deadline, "two members counted");
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = await PostgresTestCluster.StartAsync(postgres.ConnectionString, serviceId);
        try
        {
            var engine = second.Engine();
            var batch = second.GrainFactory.GetGrainByKey<IBatchGrain>(batchId);
            var stored = (await batch.Get())!;
            Assert.Equal((3, 2, 1, false), (stored.Total, stored.Counts.Completed, stored.Counts.Pending, stored.Finished));
            var replay = await batch.Create(definition);
            Assert.Equal(BatchCreateOutcome.Exists, replay.Outcome);
            Assert.Equal(members, replay.Members);
            Assert.Equal(BatchCreateOutcome.Conflict, (await batch.Create(definition with { Fingerprint = "request-2" })).Outcome);

            var slow = new TaskSubmission { Type = "delay", Payload = """{"ms":60000}""", BatchId = batchId };
            Assert.True((await engine.SubmitAsync(slow, members[2])).IsAccepted);
            await batch.Seal();
            Assert.False((await batch.Get())!.Finished);

            var cancelled = (await batch.Cancel("test"))!;
            Assert.Equal(1, cancelled.Counts.Cancelled);
            var done = await Eventually.Until(() => batch.Get(), b => b!.Finished, Deadline, "the batch finished");
            var callback = (await engine.WaitAsync(done!.CallbackTaskId, Deadline))!;
            Assert.Equal(TaskState.Completed, callback.Status);
            Assert.Equal(1, callback.Attempts);
            using var payload = JsonDocument.Parse(callback.Result!);
            Assert.Equal(2, payload.RootElement.GetProperty("counts").GetProperty("completed").GetInt32());
            Assert.Equal(1, payload.RootElement.GetProperty("counts").GetProperty("cancelled").GetInt32());
            Assert.Equal("ops", payload.RootElement.GetProperty("payload").GetProperty("to").GetString());

            // Told again, the finished batch submits nothing new.
            await second.GrainFactory.GetGrainByKey<IBatchGrain>(batchId).MemberFinished(members[0], TaskState.Completed);
            await batch.Seal();
            Assert.Equal(1, (await engine.GetAsync(done.CallbackTaskId))!.Attempts);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
