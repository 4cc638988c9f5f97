using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using Orleans.Runtime;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>Its own two-silo cluster (the test kills a silo) with a queue no worker serves, so its tasks stay pending.</summary>
public sealed class QueueRecoveryEngineCluster() : EngineCluster(2, new Dictionary<string, string?>
{
    [$"TaskEngine:Queues:Overrides:{QueueRecoveryTests.Parked}:Exclusive"] = "true",
    [$"TaskEngine:Queues:Overrides:{QueueRecoveryTests.Parked}:MaxPending"] = "100000",
    [$"TaskEngine:Queues:Overrides:{QueueRecoveryTests.Adrift}:Exclusive"] = "true",
    ["TaskEngine:Queues:RebuildInterval"] = "00:00:10",
});

public sealed class QueueRecoveryTests(QueueRecoveryEngineCluster fixture) : IClassFixture<QueueRecoveryEngineCluster>
{
    public const string Parked = "parked";
    public const string Adrift = "adrift";
    private const int Tasks = 2_000;

    [Fact]
    public async Task Pending_tasks_wake_no_grain_and_keep_their_place_when_the_silo_of_their_scheduler_is_killed()
    {
        var engine = fixture.Engine;
        var grains = fixture.Cluster.GrainFactory;
        var secondary = fixture.Cluster.SecondarySilos[0];

        // Put the queue's scheduler on the silo about to be killed.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, secondary.SiloAddress);
        try
        {
            await grains.GetGrain<ISchedulerGrain>(Parked).Wake();
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Equal(secondary.SiloAddress.ToParsableString(), (await engine.GetQueueAsync(Parked)).Silo);

        var priorities = Enum.GetValues<TaskPriority>();
        var ids = new string[Tasks];
        await Parallel.ForAsync(0, Tasks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = await engine.SubmitOk("echo", i, s => s with { Queue = Parked, Priority = priorities[i % priorities.Length] }));
        var before = await engine.GetQueueAsync(Parked);
        Assert.Equal(Tasks, before.Pending);

        // No pending task holds a reminder: 100,000 of them would otherwise wake 100,000 grains every period.
        var table = new InProcessReminderTable(Options.Create(new ClusterOptions { ServiceId = fixture.Cluster.Options.ServiceId }));
        foreach (var id in ids)
        {
            Assert.Null(await table.ReadRow(grains.GetGrain<ITaskGrain>(id).GetGrainId(), "watchdog"));
        }

        await fixture.Cluster.KillSiloAsync(secondary);

        // The queue comes back on the surviving silo, rebuilt from the queue index: every task, in its priority.
        var primary = fixture.Cluster.Primary.SiloAddress.ToParsableString();
        var after = await Eventually.Until(
            async () =>
            {
                try
                {
                    return await engine.GetQueueAsync(Parked);
                }
                catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException or OrleansException)
                {
                    return null;
                }
            },
            q => q is not null && q.Silo == primary && q.Pending == Tasks,
            TimeSpan.FromSeconds(60),
            "the queue to be rebuilt on the surviving silo");
        Assert.Equal(before.PendingByPriority, after!.PendingByPriority);

        foreach (var id in ids.Take(50))
        {
            Assert.Equal(TaskState.Pending, (await engine.GetAsync(id))!.Status);
        }
    }

    [Fact]
    public async Task A_pending_task_that_drops_out_of_its_queue_is_put_back_by_the_periodic_rebuild()
    {
        var engine = fixture.Engine;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await engine.SubmitOk("echo", i, s => s with { Queue = Adrift }));
        }

        Assert.Equal(5, (await engine.GetQueueAsync(Adrift)).Pending);

        // As if the message that queued it was lost: the task is pending by its own account, but its queue lacks it.
        await fixture.Cluster.GrainFactory.GetGrain<ISchedulerGrain>(Adrift).Remove(ids[2]);
        // Remove is one-way: wait for it to land (the rebuild interval, 10 s, leaves time to see it).
        await Eventually.Until(() => engine.GetQueueAsync(Adrift), q => q.Pending == 4, TimeSpan.FromSeconds(5), "the task to drop out");

        await Eventually.Until(() => engine.GetQueueAsync(Adrift), q => q.Pending == 5, EngineTestExtensions.Deadline, "the rebuild to put it back");
        Assert.Equal(TaskState.Pending, (await engine.GetAsync(ids[2]))!.Status);
    }
}
