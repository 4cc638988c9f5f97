using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>
/// One silo, whose <c>trio</c> worker (3 slots) serves the queue of that name, here capped at 3 pending tasks; a
/// <c>backlog</c> queue no worker serves, capped at 3, that the rebuild reads two records at a time; and idle
/// schedulers collected after 3 s (Orleans' default is 15 min).
/// </summary>
public sealed class SchedulerLifecycleEngineCluster() : EngineCluster(1, new Dictionary<string, string?>
{
    ["TaskEngine:Queues:Overrides:trio:MaxPending"] = "3",
    [$"TaskEngine:Queues:Overrides:{SchedulerLifecycleTests.Backlog}:Exclusive"] = "true",
    [$"TaskEngine:Queues:Overrides:{SchedulerLifecycleTests.Backlog}:MaxPending"] = "3",
    ["TaskEngine:Queues:RebuildPageSize"] = "2",
    ["TaskEngine:Queues:RebuildInterval"] = "00:00:02",
    ["Orleans:GrainCollection:CollectionQuantum"] = "00:00:01",
    [$"Orleans:GrainCollection:ClassSpecificCollectionAge:{typeof(SchedulerGrain).FullName}"] = "00:00:03",
});

public sealed class SchedulerLifecycleTests(SchedulerLifecycleEngineCluster fixture) : IClassFixture<SchedulerLifecycleEngineCluster>
{
    public const string Backlog = "backlog";

    [Fact]
    public async Task A_fresh_scheduler_does_not_queue_again_the_tasks_its_workers_are_running()
    {
        var engine = fixture.Engine;
        var gate = $"fresh-{Guid.NewGuid():N}";
        var running = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            running.Add(await engine.SubmitOk("record", new { key = gate, gate }, s => s with { Queue = "trio" }));
        }

        foreach (var id in running)
        {
            await engine.InState(id, TaskState.Running);
        }

        // The queue's scheduler goes (as when its directory entry is lost): the next call makes a fresh activation that
        // rebuilds the queue from the index, where the three running tasks are unfinished records.
        await fixture.Cluster.GrainFactory.GetGrain<ISchedulerGrain>("trio").Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(3, (await engine.GetQueueAsync("trio")).Running);

        // The queue holds 3 pending tasks: three real submits fit, none of them refused for tasks that are running.
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await engine.SubmitAsync(new TaskSubmission { Type = "record", Queue = "trio", Payload = $$"""{"key":"{{gate}}"}""" });
            Assert.True(submitted.IsAccepted, $"submit {i}: {submitted.Outcome}: {submitted.Reason}");
            waiting.Add(submitted.TaskId);
        }

        var queue = await engine.GetQueueAsync("trio");
        Assert.Equal(3, queue.Pending);
        Assert.Equal(3, queue.Running);

        TestProbe.OpenGate(gate);
        foreach (var id in running.Concat(waiting))
        {
            var task = await engine.Finished(id);
            Assert.Equal(TaskState.Completed, task.Status);
            Assert.Equal(1, task.Attempts);
        }
    }

    [Fact]
    public async Task A_scheduler_with_nothing_pending_or_running_is_let_go_and_one_that_holds_tasks_stays()
    {
        var engine = fixture.Engine;
        var grains = fixture.Cluster.GrainFactory;

        // 'solo' runs its task and is left with a finished record, kept for the retention (1 h): a task to purge one
        // day, nothing to serve now. 'tiny' has no worker: its task stays pending.
        var done = await engine.Finished(await engine.SubmitOk("echo", 1, s => s with { Queue = "solo" }));
        Assert.Equal(TaskState.Completed, done.Status);
        var pending = await engine.SubmitOk("echo", 2, s => s with { Queue = "tiny" });
        var solo = grains.GetGrain<ISchedulerGrain>("solo").GetGrainId();
        var tiny = grains.GetGrain<ISchedulerGrain>("tiny").GetGrainId();
        var management = grains.GetGrain<IManagementGrain>(0);

        await Eventually.Until(() => management.GetActiveGrains(solo.Type).AsTask(), active => !active.Contains(solo), TimeSpan.FromSeconds(60), "the idle scheduler to go");
        Assert.Contains(tiny, await management.GetActiveGrains(tiny.Type));
        Assert.Equal(1, (await engine.GetQueueAsync("tiny")).Pending);

        // A queue let go comes back with the next task.
        Assert.Equal(TaskState.Completed, (await engine.Finished(await engine.SubmitOk("echo", 3, s => s with { Queue = "solo" }))).Status);
        await engine.CancelAsync(pending);
    }

    [Fact]
    public async Task A_rebuild_reads_the_queue_a_page_at_a_time_up_to_its_capacity_and_what_it_adds_leaves_room_for_submits()
    {
        var engine = fixture.Engine;
        var index = new InProcessQueueIndex(Options.Create(new ClusterOptions { ServiceId = fixture.Cluster.Options.ServiceId }));

        // Records of tasks that do not exist (as a crash between a record and its task's first write leaves), one of
        // each priority and one more: the rebuild reads them two at a time and stops at the queue's 3.
        var run = Guid.NewGuid().ToString("N")[..8];
        var ghosts = Enum.GetValues<TaskPriority>().Select((p, i) => new QueueIndexRecord($"{run}-ghost-{p}", Backlog, p, i, ExpiresAt: null))
            .Append(new QueueIndexRecord($"{run}-ghost-extra", Backlog, TaskPriority.Low, 9, ExpiresAt: null))
            .ToList();
        foreach (var ghost in ghosts)
        {
            await index.SaveAsync(ghost);
        }

        try
        {
            await engine.GetQueueAsync(Backlog);
            var rebuilt = await Eventually.Until(() => engine.GetQueueAsync(Backlog), q => q.Pending >= 3, EngineTestExtensions.Deadline, "the rebuild");
            Assert.Equal(3, rebuilt.Pending);
            Assert.Equal(0, rebuilt.PendingByPriority["low"]);

            // The three rebuilt entries are not counted against submits until confirmed: three real ones still fit.
            var submitted = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                submitted.Add(await engine.SubmitOk("echo", i, s => s with { Queue = Backlog }));
            }

            var refused = await engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = Backlog });
            Assert.Equal(SubmitOutcome.QueueFull, refused.Outcome);
            Assert.Equal(6, (await engine.GetQueueAsync(Backlog)).Pending);

            foreach (var id in submitted)
            {
                await engine.CancelAsync(id);
            }
        }
        finally
        {
            foreach (var ghost in ghosts)
            {
                await index.RemoveAsync(ghost.TaskId);
            }
        }
    }
}
