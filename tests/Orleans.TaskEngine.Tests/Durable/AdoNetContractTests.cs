using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Durable;

/// <summary>The ADO.NET providers against our PostgreSQL schema, through real silos.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetContractTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stale_grain_state_write_is_refused_with_InconsistentStateException()
    {
        var cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, NewServiceId());
        try
        {
            var services = ((InProcessSiloHandle)cluster.Silos[0]).SiloHost.Services;
            var grainId = GrainId.Create("contract", Guid.NewGuid().ToString("N"));
            foreach (var name in new[] { TaskEngineSiloConfiguration.PostgresStorageName, TaskEngineSiloConfiguration.PostgresBatchedStorageName, Orleans.TaskEngine.Hosting.TaskEngineStorage.Name })
            {
                var storage = services.GetRequiredKeyedService<IGrainStorage>(name);
                var state = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } };
                await storage.WriteStateAsync(name, grainId, state);
                var first = state.ETag;
                Assert.NotNull(first);

                var stale = new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 99 }, ETag = first };
                state.State.Attempts = 2;
                await storage.WriteStateAsync(name, grainId, state);
                Assert.NotEqual(first, state.ETag);

                await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(name, grainId, stale));

                var read = new GrainState<TaskGrainState>();
                await storage.ReadStateAsync(name, grainId, read);
                Assert.Equal(2, read.State.Attempts);
                Assert.Equal(state.ETag, read.ETag);
                Assert.True(read.RecordExists);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Task_state_and_its_reminder_survive_a_restart_of_the_whole_cluster()
    {
        var serviceId = NewServiceId();
        var cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, serviceId);
        string done;
        string scheduled;
        try
        {
            var engine = cluster.Engine();
            done = await engine.SubmitOk("echo", new { hello = "durable" });
            Assert.Equal(TaskState.Completed, (await engine.Finished(done)).Status);

            // Due after the restart: only its durable reminder can wake it in the new cluster.
            scheduled = await engine.SubmitOk("echo", new { n = 2 }, s => s with { DelaySeconds = 8 });
            Assert.Equal(TaskState.Scheduled, (await engine.GetAsync(scheduled))!.Status);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        // The finished task holds no reminder: its queue-index record carries its expiry instead.
        Assert.Equal(0L, await postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM orleans_reminders WHERE serviceid = '{serviceId}' AND grainid LIKE '%{done}'"));
        Assert.Equal(1L, await postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM taskengine_queue_records WHERE service_id = '{serviceId}' AND task_id = '{done}' AND expires_at IS NOT NULL"));

        // Still scheduled (version 1, as submitted) when the cluster went away.
        Assert.Equal(1, await postgres.ScalarAsync<int>($"SELECT version FROM taskengine_grain_state WHERE {TaskRow(serviceId, scheduled)}"));
        Assert.Equal(1L, await postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM orleans_reminders WHERE serviceid = '{serviceId}' AND grainid LIKE '%{scheduled}' AND remindername = 'watchdog'"));

        cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, serviceId);
        try
        {
            var engine = cluster.Engine();
            var before = await engine.GetAsync(done);
            Assert.NotNull(before);
            Assert.Equal(TaskState.Completed, before.Status);
            Assert.Equal("{\"hello\":\"durable\"}", before.Result);

            // No call touches the scheduled task: its reminder fires in the new cluster and it runs.
            // Watched in the table, since a call would activate the task and its activation would run it without the reminder.
            await Eventually.Until(
                () => postgres.ScalarAsync<int>($"SELECT count(*)::int FROM taskengine_grain_state WHERE {TaskRow(serviceId, scheduled)} AND version >= 4"),
                n => n == 1, Deadline, $"task {scheduled} to be started and completed by its reminder");
            var after = await engine.GetAsync(scheduled);
            Assert.Equal(TaskState.Completed, after!.Status);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Membership_sees_two_silos_and_declares_a_killed_one_dead()
    {
        var serviceId = NewServiceId();
        var cluster = await PostgresTestCluster.StartAsync(postgres.ConnectionString, serviceId, silos: 2);
        try
        {
            const string active = "SELECT count(*)::int FROM orleans_membership WHERE deploymentid = '{0}' AND status = 3";
            await Eventually.Until(() => postgres.ScalarAsync<int>(string.Format(active, serviceId)), n => n == 2, Deadline, "two active silos in the table");

            var secondary = cluster.SecondarySilos[0];
            await cluster.KillSiloAsync(secondary);
            var dead = $"SELECT count(*)::int FROM orleans_membership WHERE deploymentid = '{serviceId}' AND status = 6 AND port = {secondary.SiloAddress.Endpoint.Port}";
            await Eventually.Until(() => postgres.ScalarAsync<int>(dead), n => n == 1, Deadline, "the killed silo declared dead");
            Assert.Equal(1, await postgres.ScalarAsync<int>(string.Format(active, serviceId)));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The storage row of a task in the default (batched) task store: keyed by the GrainId as text.</summary>
    private static string TaskRow(string serviceId, string taskId) =>
        $"service_id = '{serviceId}' AND state_name = 'task' AND grain_id = 'task/{taskId}'";

    private static string NewServiceId() => "contract-" + Guid.NewGuid().ToString("N")[..12];
}
