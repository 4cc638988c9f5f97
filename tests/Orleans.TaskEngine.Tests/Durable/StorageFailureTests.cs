using Orleans.Runtime;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>
/// What callers see when PostgreSQL fails under the grain storage: the engine's own TaskEngineUnavailableException
/// (which the REST API maps to 503), never a driver exception or a codec error. The failure is made by renaming the
/// storage table, so clustering and reminders keep working and the test is deterministic.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StorageFailureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_submit_while_the_task_store_fails_is_refused_with_TaskEngineUnavailableException_and_leaves_nothing_behind()
    {
        var cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, NewServiceId());
        try
        {
            var engine = cluster.Engine();
            var id = Client.TaskEngineClusterClient.NewTaskId();
            var queue = "storage-failure-" + Guid.NewGuid().ToString("N")[..6];
            await BreakStorageAsync();
            try
            {
                var error = await Assert.ThrowsAsync<TaskEngineUnavailableException>(
                    () => engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "1", Queue = queue }, id));
                Assert.Contains("unavailable", error.Message, StringComparison.OrdinalIgnoreCase);
            }
            finally
            {
                await RepairStorageAsync();
            }

            Assert.Null(await engine.GetAsync(id));
            Assert.Equal(0, (await engine.GetQueueAsync(queue)).Pending);

            // The same id is free, and the engine works again on its own.
            var accepted = await engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "2", Queue = queue }, id);
            Assert.True(accepted.IsAccepted, accepted.Reason);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_activation_that_cannot_read_its_state_fails_the_call_with_TaskEngineUnavailableException()
    {
        var cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, NewServiceId());
        try
        {
            var engine = cluster.Engine();
            var id = await engine.SubmitOk("echo", new { n = 1 });
            Assert.Equal(TaskState.Completed, (await engine.Finished(id)).Status);

            // Deactivate it, so the next call must read its state from the database.
            await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await BreakStorageAsync();
            try
            {
                var error = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => engine.GetAsync(id));
                Assert.Contains("read", error.Message, StringComparison.Ordinal);
            }
            finally
            {
                await RepairStorageAsync();
            }

            var task = await Eventually.Until(() => TryGetAsync(engine, id), t => t is not null, EngineTestExtensions.Deadline, "the task readable again");
            Assert.Equal(TaskState.Completed, task!.Status);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task<TaskSnapshot?> TryGetAsync(Client.TaskEngineClusterClient engine, string id)
    {
        try
        {
            return await engine.GetAsync(id);
        }
        catch (TaskEngineUnavailableException)
        {
            return null;
        }
    }

    // Both task stores' tables: the engine uses one of them (TaskEngine:Database:TaskStore, Batched by default).
    private Task BreakStorageAsync() => postgres.ExecuteAsync(
        "ALTER TABLE orleans_storage RENAME TO orleans_storage_away; ALTER TABLE taskengine_grain_state RENAME TO taskengine_grain_state_away");

    private Task RepairStorageAsync() => postgres.ExecuteAsync(
        "ALTER TABLE orleans_storage_away RENAME TO orleans_storage; ALTER TABLE taskengine_grain_state_away RENAME TO taskengine_grain_state");

    private static string NewServiceId() => "storage-" + Guid.NewGuid().ToString("N")[..12];
}
