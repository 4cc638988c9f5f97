using System.Diagnostics;
using Orleans.Core.Internal;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Tests.Scheduling;

[Collection(SharedClusterCollection.Name)]
public sealed class SchedulingTests(SharedEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task With_the_only_slot_busy_tasks_start_in_priority_order_then_submit_order()
    {
        var key = $"priority-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        var blocker = await _engine.SubmitOk("record", new { key = $"{key}-blocker", gate }, s => s with { Queue = "solo" });
        await _engine.InState(blocker, TaskState.Running);

        TaskPriority[] order = [TaskPriority.Low, TaskPriority.Normal, TaskPriority.High, TaskPriority.Urgent];
        var submitted = new List<(string Id, TaskPriority Priority)>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var priority in order)
            {
                var id = await _engine.SubmitOk("record", new { key }, s => s with { Queue = "solo", Priority = priority });
                submitted.Add((id, priority));
            }
        }

        TestProbe.OpenGate(gate);
        foreach (var (id, _) in submitted)
        {
            Assert.Equal(TaskState.Completed, (await _engine.Finished(id)).Status);
        }

        var expected = submitted
            .Select((t, index) => (t.Id, t.Priority, index))
            .OrderByDescending(t => t.Priority)
            .ThenBy(t => t.index)
            .Select(t => t.Id);
        Assert.Equal(expected, TestProbe.StartsOf(key));
    }

    [Fact]
    public async Task Twelve_one_second_tasks_run_on_both_silos_at_once_and_no_worker_exceeds_its_limit()
    {
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await _engine.SubmitOk("delay", new { ms = 1000 }));
        }

        var tasks = new List<TaskSnapshot>();
        foreach (var id in ids)
        {
            var task = await _engine.Finished(id);
            Assert.Equal(TaskState.Completed, task.Status);
            tasks.Add(task);
        }

        Assert.Equal(2, tasks.Select(t => t.Silo).Distinct().Count());
        var overlapAcrossSilos = tasks.Any(a => tasks.Any(b =>
            a.Silo != b.Silo && a.StartedAt < b.FinishedAt && b.StartedAt < a.FinishedAt));
        Assert.True(overlapAcrossSilos, "no two tasks ran on different silos at the same time");

        foreach (var perWorker in tasks.GroupBy(t => t.WorkerId))
        {
            var mostAtOnce = perWorker.Max(a => perWorker.Count(b => b.StartedAt <= a.StartedAt && a.StartedAt < b.FinishedAt));
            Assert.True(mostAtOnce <= 3, $"worker {perWorker.Key} ran {mostAtOnce} tasks at once");
        }
    }

    [Fact]
    public async Task Each_silo_starts_its_configured_workers_with_their_concurrency()
    {
        var workers = await _engine.GetWorkersAsync();
        var defaults = workers.Where(w => w.WorkerId.Contains("/default/", StringComparison.Ordinal)).ToList();

        Assert.Equal(4, defaults.Count);
        Assert.Equal(2, defaults.Select(w => w.Silo).Distinct().Count());
        Assert.All(defaults, w => Assert.Equal(3, w.Concurrency));
        Assert.All(workers, w => Assert.True(w.Active));
    }

    [Fact]
    public async Task A_submit_past_the_queue_maximum_is_refused_and_creates_nothing()
    {
        // 'tiny' holds at most 2 pending tasks and no worker serves it, so its tasks stay pending.
        var first = await _engine.SubmitOk("echo", 1, s => s with { Queue = "tiny" });
        var second = await _engine.SubmitOk("echo", 2, s => s with { Queue = "tiny" });

        var refused = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "tiny" });

        Assert.Equal(SubmitOutcome.QueueFull, refused.Outcome);
        Assert.Contains("full", refused.Reason, StringComparison.Ordinal);
        Assert.Null(await _engine.GetAsync(refused.TaskId));
        var queue = await _engine.GetQueueAsync("tiny");
        Assert.Equal(2, queue.Pending);
        Assert.Equal(2, queue.Capacity);

        await _engine.CancelAsync(first);
        await _engine.CancelAsync(second);
        var room = await Eventually.Until(() => _engine.GetQueueAsync("tiny"), q => q.Pending == 0, EngineTestExtensions.Deadline, "tiny queue to empty");
        Assert.Equal(0, room.Pending);
        var third = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Queue = "tiny" });
        Assert.True(third.IsAccepted);
        await _engine.CancelAsync(third.TaskId);
    }

    [Fact]
    public async Task Tasks_name_their_queue_and_default_to_default()
    {
        var id = await _engine.SubmitOk("echo", 1);
        var task = await _engine.Finished(id);
        Assert.Equal("default", task.Queue);

        var solo = await _engine.Finished(await _engine.SubmitOk("echo", 1, s => s with { Queue = "solo" }));
        Assert.Contains("/solo/", solo.WorkerId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_a_worker_runs_three_long_tasks_it_and_its_tasks_answer_in_milliseconds()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _engine.SubmitOk("delay", new { ms = 5000 }, s => s with { Queue = "trio" }));
        }

        foreach (var id in ids)
        {
            await _engine.InState(id, TaskState.Running);
        }

        var workerId = (await _engine.GetAsync(ids[0]))!.WorkerId!;
        var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(workerId);

        var watch = Stopwatch.StartNew();
        var status = await worker.GetStatus();
        var workerElapsed = watch.Elapsed;
        watch.Restart();
        var task = await _engine.GetAsync(ids[1]);
        var taskElapsed = watch.Elapsed;

        Assert.Equal(3, status.RunningTaskIds.Count);
        Assert.Equal(TaskState.Running, task!.Status);
        // Half the tasks' 5 s: an answer that waited for a running task would take longer; a busy machine's pause would not.
        Assert.True(workerElapsed < TimeSpan.FromMilliseconds(2500), $"worker status took {workerElapsed}");
        Assert.True(taskElapsed < TimeSpan.FromMilliseconds(2500), $"task status took {taskElapsed}");
        foreach (var id in ids)
        {
            await _engine.CancelAsync(id);
        }
    }

    [Fact]
    public async Task A_worker_that_refused_work_as_a_fresh_activation_gets_work_again_once_it_is_restarted()
    {
        // A worker activation lost while its registration stays (as after a silo death elsewhere): the next call makes
        // a fresh activation that is not started yet and refuses work, so its queue stops sending it any.
        var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(WorkerKey.Create(fixture.Cluster.Primary.SiloAddress, "solo", 0));
        await worker.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var id = await _engine.SubmitOk("echo", 1, s => s with { Queue = "solo" });

        // The silo restarts its worker within a heartbeat; the queue must then use it again.
        var task = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, task.Status);
    }

    [Fact]
    public async Task A_worker_handed_more_tasks_than_it_has_free_slots_takes_them_in_order_up_to_its_slots()
    {
        var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(WorkerKey.Create(fixture.Cluster.Primary.SiloAddress, "trio", 0));
        await Eventually.Until(worker.GetStatus, status => status.Active && status.RunningTaskIds.Count == 0, EngineTestExtensions.Deadline, "the trio worker to be idle");

        // Ids of no task: each start is refused at once, but the slots are counted when the tasks are handed over.
        var run = Guid.NewGuid().ToString("N");
        var result = await worker.Assign("trio", [.. Enumerable.Range(0, 5).Select(i => $"{run}-{i}")]);

        Assert.Equal(3, result.Accepted);
        Assert.Equal(0, result.FreeSlots);
        await Eventually.Until(worker.GetStatus, status => status.RunningTaskIds.Count == 0, EngineTestExtensions.Deadline, "the refused starts to free the slots");
    }
}
