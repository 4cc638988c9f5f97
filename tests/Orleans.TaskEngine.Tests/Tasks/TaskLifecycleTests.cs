using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Tasks;

[Collection(SharedClusterCollection.Name)]
public sealed class TaskLifecycleTests(SharedEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task Submit_returns_the_id_without_waiting_for_the_task()
    {
        var watch = Stopwatch.StartNew();
        var result = await _engine.SubmitAsync(new TaskSubmission { Type = "delay", Payload = """{"ms":10000}""" });
        watch.Stop();

        Assert.True(result.IsAccepted);
        Assert.False(string.IsNullOrEmpty(result.TaskId));
        // Half the task's 10 s: a submit that waited for the task would take longer; a busy machine's pause would not.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"submit took {watch.Elapsed}");
        Assert.False(result.Status.IsTerminal());
        await _engine.CancelAsync(result.TaskId);
    }

    [Fact]
    public async Task A_completed_task_keeps_every_transition_with_time_attempt_worker_and_silo()
    {
        var before = DateTimeOffset.UtcNow;
        var id = await _engine.SubmitOk("echo", new { hello = "world" });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Completed, task.Status);
        Assert.Equal("""{"hello":"world"}""", task.Result);
        Assert.Equal(1, task.Attempts);
        var transitions = task.History.Where(e => e.Kind == TaskEventKind.Transition).ToList();
        Assert.Equal([TaskState.Pending, TaskState.Running, TaskState.Completed], transitions.Select(e => e.Status));
        Assert.All(transitions, e => Assert.InRange(e.At, before, DateTimeOffset.UtcNow));
        Assert.All(transitions, e => Assert.False(string.IsNullOrEmpty(e.Silo)));
        Assert.Equal([0, 1, 1], transitions.Select(e => e.Attempt));
        Assert.Equal(task.WorkerId, transitions[1].WorkerId);
        Assert.Equal(task.Silo, transitions[1].Silo);
        Assert.Equal(task.Silo, transitions[2].Silo);
        Assert.True(transitions.Select(e => e.Sequence).SequenceEqual(transitions.Select(e => e.Sequence).Order()));
    }

    [Fact]
    public async Task A_finished_task_gives_up_its_activation_and_a_read_brings_it_back_from_storage()
    {
        var id = await _engine.SubmitOk("echo", new { kept = "in storage" });
        var finished = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, finished.Status);

        var grain = fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>(id);
        var management = fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        await Eventually.Until(() => management.GetGrainActivationCount((GrainReference)grain), n => n == 0, TimeSpan.FromSeconds(10), "the finished task's activation to go");

        // Read again: the task comes back from storage as it was, and leaves again once the read is answered.
        var read = await _engine.GetAsync(id);
        Assert.NotNull(read);
        Assert.Equal(TaskState.Completed, read.Status);
        Assert.Equal(finished.Result, read.Result);
        Assert.Equal(finished.History.Count, read.History.Count);
        await Eventually.Until(() => management.GetGrainActivationCount((GrainReference)grain), n => n == 0, TimeSpan.FromSeconds(10), "the re-read task's activation to go");
    }

    [Fact]
    public async Task Completing_a_cancelled_task_changes_nothing_and_says_so()
    {
        var id = await _engine.SubmitOk("delay", new { ms = 60_000 }, s => s with { RunAt = DateTimeOffset.UtcNow.AddHours(1) });
        var cancelled = await _engine.CancelAsync(id);
        Assert.True(cancelled.Changed);

        var grain = fixture.Cluster.GrainFactory.GetGrain<ITaskProtocolGrain>(id);
        var report = await grain.ReportCompleted(1, "42");

        Assert.False(report.Changed);
        Assert.Contains("cancelled", report.Message, StringComparison.Ordinal);
        var task = await _engine.GetAsync(id);
        Assert.Equal(TaskState.Cancelled, task!.Status);
        Assert.Null(task.Result);
        Assert.Equal(cancelled.Task!.History.Count, task.History.Count);
    }

    [Fact]
    public async Task Starting_a_completed_task_changes_nothing_and_says_so()
    {
        var id = await _engine.SubmitOk("echo", 1);
        var done = await _engine.Finished(id);

        var start = await fixture.Cluster.GrainFactory.GetGrain<ITaskProtocolGrain>(id).TryStart("someone", "nowhere");

        Assert.False(start.Started);
        Assert.Contains("completed", start.Reason, StringComparison.Ordinal);
        var task = await _engine.GetAsync(id);
        Assert.Equal(TaskState.Completed, task!.Status);
        Assert.Equal(done.Attempts, task.Attempts);
        Assert.Equal(done.History.Count, task.History.Count);
    }

    [Fact]
    public async Task Commands_on_an_unknown_task_say_so_instead_of_throwing()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>("no-such-task");
        Assert.Null(await grain.Get());
        Assert.False((await grain.Cancel(null)).Changed);
        var protocol = fixture.Cluster.GrainFactory.GetGrain<ITaskProtocolGrain>("no-such-task");
        Assert.False((await protocol.ReportFailed(1, new TaskError { Kind = "error", Message = "x" })).Changed);
        Assert.False((await protocol.TryStart("w", "s")).Started);
    }

    [Fact]
    public async Task A_task_with_a_run_at_time_waits_scheduled_then_runs()
    {
        var id = await _engine.SubmitOk("echo", 1, s => s with { DelaySeconds = 1 });
        var submitted = await _engine.GetAsync(id);
        Assert.Equal(TaskState.Scheduled, submitted!.Status);

        var task = await _engine.Finished(id);
        Assert.Equal(TaskState.Completed, task.Status);
        Assert.True(task.StartedAt >= submitted.RunAt, $"started {task.StartedAt:O} before run-at {submitted.RunAt:O}");
    }

    [Fact]
    public async Task A_task_waits_for_its_dependencies_and_fails_when_one_fails()
    {
        var first = await _engine.SubmitOk("delay", new { ms = 300 });
        var second = await _engine.SubmitOk("echo", 2, s => s with { DependsOn = [first] });
        Assert.Equal(TaskState.Scheduled, (await _engine.GetAsync(second))!.Status);

        var done = await _engine.Finished(second);
        var dependency = await _engine.GetAsync(first);
        Assert.Equal(TaskState.Completed, done.Status);
        Assert.True(done.StartedAt >= dependency!.FinishedAt);

        var broken = await _engine.SubmitOk("bad-payload", null, s => s with { MaxAttempts = 1 });
        var dependent = await _engine.SubmitOk("echo", 3, s => s with { DependsOn = [broken] });
        var failed = await _engine.Finished(dependent);
        Assert.Equal(TaskState.Failed, failed.Status);
        Assert.Equal(TaskErrorKinds.Dependency, failed.Error!.Kind);
        Assert.Equal(0, failed.Attempts);
    }

    [Fact]
    public async Task Waiting_returns_as_soon_as_the_task_finishes_or_the_current_state_at_the_timeout()
    {
        var quick = await _engine.SubmitOk("delay", new { ms = 300 });
        var finished = await _engine.WaitAsync(quick, TimeSpan.FromSeconds(20));
        Assert.Equal(TaskState.Completed, finished!.Status);

        var slow = await _engine.SubmitOk("delay", new { ms = 60_000 });
        var watch = Stopwatch.StartNew();
        var unfinished = await _engine.WaitAsync(slow, TimeSpan.FromSeconds(1));
        watch.Stop();
        Assert.False(unfinished!.Status.IsTerminal());
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await _engine.CancelAsync(slow);

        Assert.Null(await _engine.WaitAsync("no-such-task", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Unknown_type_and_bad_fields_are_refused_and_create_nothing()
    {
        var unknown = await _engine.SubmitAsync(new TaskSubmission { Type = "no-such-type" });
        Assert.Equal(SubmitOutcome.UnknownType, unknown.Outcome);
        Assert.Contains("no-such-type", unknown.Reason, StringComparison.Ordinal);
        Assert.Null(await _engine.GetAsync(unknown.TaskId));

        TaskSubmission[] invalid =
        [
            new() { Type = "echo", TimeoutSeconds = 0 },
            new() { Type = "echo", TimeoutSeconds = 24 * 3600 + 1 },
            new() { Type = "echo", MaxAttempts = 0 },
            new() { Type = "echo", MaxAttempts = 101 },
            new() { Type = "echo", Priority = (TaskPriority)9 },
            new() { Type = "echo", Payload = "{not json" },
            new() { Type = "echo", Queue = "" },
        ];
        foreach (var submission in invalid)
        {
            var result = await _engine.SubmitAsync(submission);
            Assert.Equal(SubmitOutcome.Invalid, result.Outcome);
            Assert.False(string.IsNullOrEmpty(result.Reason));
            Assert.Null(await _engine.GetAsync(result.TaskId));
        }
    }

    [Fact]
    public async Task Submitting_the_same_id_twice_creates_one_task()
    {
        var id = Client.TaskEngineClusterClient.NewTaskId();
        var first = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "1" }, id);
        var second = await _engine.SubmitAsync(new TaskSubmission { Type = "echo", Payload = "2" }, id);

        Assert.Equal(SubmitOutcome.Accepted, first.Outcome);
        Assert.Equal(SubmitOutcome.AlreadyExists, second.Outcome);
        var task = await _engine.Finished(id);
        Assert.Equal("1", task.Result);
        Assert.Equal(1, task.Attempts);
    }

    [Fact]
    public async Task Progress_reports_show_in_the_history()
    {
        var id = await _engine.SubmitOk("progress");
        var task = await _engine.Finished(id);

        // Progress is one-way and may land just after completion is reported; completion is what is asserted on.
        Assert.Equal(TaskState.Completed, task.Status);
        var withProgress = await Eventually.Until(
            () => _engine.GetAsync(id), t => t!.History.Count(e => e.Kind == TaskEventKind.Progress) >= 1, EngineTestExtensions.Deadline, "progress events");
        Assert.Contains(withProgress!.History, e => e.Kind == TaskEventKind.Progress && e.Message!.StartsWith("step", StringComparison.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(new { steps = 3 }), task.Result);
    }

    [Fact]
    public async Task Only_a_waiting_task_holds_a_watchdog_reminder_and_the_queue_index_records_the_others()
    {
        var serviceId = Options.Create(new ClusterOptions { ServiceId = fixture.Cluster.Options.ServiceId });
        var table = new InProcessReminderTable(serviceId);
        var index = new InProcessQueueIndex(serviceId);
        Task<ReminderEntry?> Watchdog(string id) => table.ReadRow(fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>(id).GetGrainId(), "watchdog");
        async Task<bool> Unfinished(string id) => (await index.LoadUnfinishedAsync(TaskDefaults.Queue)).Any(e => e.TaskId == id);

        // Waiting for a time: nothing but its watchdog would wake it.
        var waiting = await _engine.SubmitOk("echo", 1, s => s with { DelaySeconds = 3600 });
        Assert.Equal(TimeSpan.FromSeconds(5), (await Watchdog(waiting))!.Period);
        Assert.False(await Unfinished(waiting));

        // Ready and then running: no reminder; its unfinished record keeps its place in the queue.
        var running = await _engine.SubmitOk("delay", new { ms = 10_000 });
        Assert.Null(await Watchdog(running));
        Assert.True(await Unfinished(running));
        await _engine.InState(running, TaskState.Running);
        Assert.Null(await Watchdog(running));
        Assert.True(await Unfinished(running));

        // Finished: no reminder; the record leaves the unfinished list and carries the expiry instead.
        await _engine.CancelAsync(running);
        var cancelled = await _engine.Finished(running);
        await Eventually.Until(() => Unfinished(running), unfinished => !unfinished, EngineTestExtensions.Deadline, "the record to be marked finished");
        var expired = await index.LoadExpiredAsync(TaskDefaults.Queue, cancelled.ExpiresAt!.Value, 100_000);
        Assert.Contains(running, expired);
        Assert.DoesNotContain(running, await index.LoadExpiredAsync(TaskDefaults.Queue, cancelled.ExpiresAt.Value.AddTicks(-1), 100_000));
        Assert.Null(await Watchdog(running));
        await _engine.CancelAsync(waiting);
    }

    [Fact]
    public async Task A_queue_index_record_of_a_task_that_does_not_exist_is_dropped_when_a_worker_meets_it()
    {
        var index = new InProcessQueueIndex(Options.Create(new ClusterOptions { ServiceId = fixture.Cluster.Options.ServiceId }));
        var id = $"orphan-{Guid.NewGuid():N}";
        await index.SaveAsync(new QueueIndexRecord(id, "orphans", TaskPriority.Normal, 1, null));
        Assert.Contains((await index.LoadUnfinishedAsync("orphans")).Select(e => e.TaskId), x => x == id);

        var start = await fixture.Cluster.GrainFactory.GetGrain<ITaskProtocolGrain>(id).TryStart("worker", "silo");

        Assert.Null(start.WorkItem);
        Assert.Empty(await index.LoadUnfinishedAsync("orphans"));
    }
}
