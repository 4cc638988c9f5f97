using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>
/// What every store's audit log must do, written as the engine writes it: task states stored through the store's grain
/// storage (the log's rows go with the state write), read back through its <see cref="ITaskHistory"/>. Each test gets a
/// service id of its own. A store adds one subclass.
/// </summary>
public abstract class HistoryContract
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract (IGrainStorage Storage, ITaskHistory History) CreateStores(string serviceId);

    private (IGrainStorage Storage, ITaskHistory History) NewStores() => CreateStores("history-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_written_task_has_its_summary_and_events_and_a_later_write_adds_only_its_new_events()
    {
        var (storage, history) = NewStores();
        var task = new Writer(storage, "t1", T0, type: "echo", queue: "q", createdBy: "alice", tags: ["blue"]);
        await task.WriteAsync(TaskState.Pending, ("submitted", "alice", null));
        await task.WriteAsync(TaskState.Running, ("started by w1", "system", null));
        await task.WriteAsync(TaskState.Scheduled, ("attempt 1 failed (error: boom)", "system", "error"));

        var record = await history.LoadAsync("t1", createdAt: null);

        Assert.NotNull(record);
        Assert.Equal([1L, 2L, 3L], record.Events.Select(e => e.Sequence));
        Assert.Equal(["submitted", "started by w1", "attempt 1 failed (error: boom)"], record.Events.Select(e => e.Message));
        Assert.Equal(["alice", "system", "system"], record.Events.Select(e => e.Actor));
        Assert.Equal("error", record.Events[2].ErrorKind);
        Assert.Equal(TaskState.Scheduled, record.Summary.Status);
        Assert.Equal("echo", record.Summary.Type);
        Assert.Equal("q", record.Summary.Queue);
        Assert.Equal("alice", record.Summary.CreatedBy);
        Assert.Equal(["blue"], record.Summary.Tags);
        Assert.Equal(T0, record.Summary.CreatedAt);
        Assert.Equal("error", record.Summary.LastErrorKind);
        Assert.Equal("boom", record.Summary.LastErrorMessage);
        Assert.Null(await history.LoadAsync("no-such-task", createdAt: null));
    }

    [Fact]
    public async Task A_write_repeated_after_it_landed_adds_no_event_twice()
    {
        var (storage, history) = NewStores();
        var task = new Writer(storage, "t1", T0);
        await task.WriteAsync(TaskState.Pending, ("submitted", "system", null));
        await task.WriteAsync(TaskState.Running, ("started", "system", null));

        // As after a write whose answer was lost: the same events again, from the state stored before them.
        await task.RewriteFromAsync(auditedThrough: 0);

        var record = await history.LoadAsync("t1", createdAt: null);
        Assert.Equal([1L, 2L], record!.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Search_filters_and_lists_newest_first()
    {
        var (storage, history) = NewStores();
        await new Writer(storage, "a", T0, type: "echo", queue: "q1", createdBy: "alice", tags: ["x"]).WriteAsync(TaskState.Completed, ("done", "system", null));
        await new Writer(storage, "b", T0.AddSeconds(1), type: "http", queue: "q1", createdBy: "bob").WriteAsync(TaskState.Failed, ("failed", "system", "permanent"));
        await new Writer(storage, "c", T0.AddSeconds(2), type: "echo", queue: "q2", createdBy: "alice", tags: ["x", "y"]).WriteAsync(TaskState.Pending, ("submitted", "alice", null));

        async Task<string[]> Ids(TaskSearchQuery query) => [.. (await history.SearchAsync(query)).Items.Select(i => i.Id)];

        Assert.Equal(["c", "b", "a"], await Ids(new TaskSearchQuery()));
        Assert.Equal(["c", "a"], await Ids(new TaskSearchQuery { Type = "echo" }));
        Assert.Equal(["b", "a"], await Ids(new TaskSearchQuery { Queue = "q1" }));
        Assert.Equal(["b"], await Ids(new TaskSearchQuery { Status = TaskState.Failed }));
        Assert.Equal(["c", "a"], await Ids(new TaskSearchQuery { CreatedBy = "alice" }));
        Assert.Equal(["c", "a"], await Ids(new TaskSearchQuery { Tag = "x" }));
        Assert.Equal(["c"], await Ids(new TaskSearchQuery { Tag = "y" }));
        Assert.Equal(["b"], await Ids(new TaskSearchQuery { From = T0.AddSeconds(1), To = T0.AddSeconds(2) }));
        Assert.Equal(["a"], await Ids(new TaskSearchQuery { Type = "echo", Queue = "q1", Status = TaskState.Completed, CreatedBy = "alice", Tag = "x" }));
        Assert.Empty(await Ids(new TaskSearchQuery { Type = "nothing" }));
        var failed = (await history.SearchAsync(new TaskSearchQuery { Status = TaskState.Failed })).Items.Single();
        Assert.Equal("permanent", failed.LastErrorKind);
    }

    [Fact]
    public async Task Pages_follow_each_other_with_no_repeat_and_none_missed_while_tasks_are_added()
    {
        var (storage, history) = NewStores();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            // Pairs created at the same instant: the id breaks the tie.
            var id = $"task-{i:D2}";
            ids.Add(id);
            await new Writer(storage, id, T0.AddSeconds(i / 2)).WriteAsync(TaskState.Pending, ("submitted", "system", null));
        }

        var seen = new List<string>();
        TaskSearchCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await history.SearchAsync(new TaskSearchQuery { Limit = 4, After = cursor });
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.Next;
            pages++;

            // Newer tasks arriving meanwhile come before the first page: they never show up in the pages after it.
            await new Writer(storage, $"late-{pages}", T0.AddHours(1).AddSeconds(pages)).WriteAsync(TaskState.Pending, ("submitted", "system", null));
        }
        while (cursor is not null);

        Assert.Equal(7, pages);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(ids.OrderByDescending(id => id, StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task A_task_id_that_comes_back_is_a_new_incarnation_and_each_is_listed_and_readable()
    {
        var (storage, history) = NewStores();
        var first = new Writer(storage, "again", T0);
        await first.WriteAsync(TaskState.Completed, ("first life", "system", null));

        // Its retention is over: the grain's state goes (the log keeps it), and the id is submitted again.
        await first.PurgeAsync();
        await new Writer(storage, "again", T0.AddDays(1)).WriteAsync(TaskState.Pending, ("second life", "system", null));

        var listed = (await history.SearchAsync(new TaskSearchQuery())).Items;
        Assert.Equal([T0.AddDays(1), T0], listed.Where(i => i.Id == "again").Select(i => i.CreatedAt));
        Assert.Equal("second life", (await history.LoadAsync("again", createdAt: null))!.Events.Single().Message);
        Assert.Equal("first life", (await history.LoadAsync("again", T0))!.Events.Single().Message);
        Assert.Null(await history.LoadAsync("again", T0.AddMinutes(1)));
    }

    [Fact]
    public async Task Purge_removes_incarnations_created_before_the_cutoff_oldest_first_with_their_events()
    {
        var (storage, history) = NewStores();
        for (var i = 0; i < 5; i++)
        {
            await new Writer(storage, $"p{i}", T0.AddDays(i)).WriteAsync(TaskState.Completed, ("done", "system", null));
        }

        Assert.Equal(2, await history.PurgeAsync(T0.AddDays(3), limit: 2));
        Assert.Equal(1, await history.PurgeAsync(T0.AddDays(3), limit: 10));
        Assert.Equal(0, await history.PurgeAsync(T0.AddDays(3), limit: 10));

        Assert.Equal(["p4", "p3"], (await history.SearchAsync(new TaskSearchQuery())).Items.Select(i => i.Id));
        Assert.Null(await history.LoadAsync("p0", createdAt: null));
        Assert.NotNull(await history.LoadAsync("p3", createdAt: null));
    }

    [Fact]
    public async Task A_report_reads_the_windows_finishes_and_failures()
    {
        var (storage, history) = NewStores();
        var done = new Writer(storage, "done", T0, type: "echo");
        await done.WriteAsync(TaskState.Running, ("started", "system", null));
        await done.WriteAsync(TaskState.Completed, ("completed", "system", null));
        var failing = new Writer(storage, "failing", T0, type: "http");
        await failing.WriteAsync(TaskState.Running, ("started", "system", null));
        await failing.WriteAsync(TaskState.Scheduled, ("attempt 1 failed (error: boom)", "system", "error"));
        await new Writer(storage, "waiting", T0).WriteAsync(TaskState.Pending, ("submitted", "system", null));
        await new Writer(storage, "later", T0.AddHours(2)).WriteAsync(TaskState.Completed, ("completed", "system", null));

        var input = await history.LoadStatsInputAsync(T0, T0.AddHours(1));

        Assert.Equal(["done"], input.Finished.Select(s => s.Id));
        Assert.Equal(TaskState.Completed, input.Finished[0].Status);
        var failure = Assert.Single(input.Failures);
        Assert.Equal("failing", failure.TaskId);
        Assert.Equal("http", failure.Type);
        Assert.Equal("error", failure.Event.ErrorKind);
        Assert.Equal(TaskState.Scheduled, failure.Event.Status);
    }

    [Fact]
    public async Task The_windows_completed_and_failed_tasks_are_counted_by_queue()
    {
        var (storage, history) = NewStores();
        await new Writer(storage, "ok-1", T0, queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));
        await new Writer(storage, "ok-2", T0, queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));
        await new Writer(storage, "bad-1", T0, queue: "a").WriteAsync(TaskState.Failed, ("failed", "system", "error"));
        await new Writer(storage, "bad-2", T0, queue: "b").WriteAsync(TaskState.Failed, ("failed", "system", "error"));
        await new Writer(storage, "cancelled", T0, queue: "b").WriteAsync(TaskState.Cancelled, ("cancelled", "alice", null));
        await new Writer(storage, "waiting", T0, queue: "c").WriteAsync(TaskState.Pending, ("submitted", "system", null));
        await new Writer(storage, "later", T0.AddHours(2), queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));

        var counts = (await history.CountFinishedAsync(T0, T0.AddHours(1))).OrderBy(c => c.Queue, StringComparer.Ordinal).ToList();

        Assert.Equal([new FinishedByQueue("a", 2, 1), new FinishedByQueue("b", 0, 1)], counts);
    }

    [Fact]
    public async Task The_windows_finishes_are_counted_by_minute_and_outcome()
    {
        var (storage, history) = NewStores();
        await new Writer(storage, "m0-ok", T0, queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));
        await new Writer(storage, "m0-bad", T0.AddSeconds(30), queue: "b").WriteAsync(TaskState.Failed, ("failed", "system", "error"));
        await new Writer(storage, "m2-ok", T0.AddMinutes(2).AddSeconds(59), queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));
        await new Writer(storage, "m2-cancelled", T0.AddMinutes(2), queue: "a").WriteAsync(TaskState.Cancelled, ("cancelled", "alice", null));
        await new Writer(storage, "waiting", T0, queue: "c").WriteAsync(TaskState.Pending, ("submitted", "system", null));
        await new Writer(storage, "before", T0.AddMinutes(-1), queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));
        await new Writer(storage, "after", T0.AddMinutes(3), queue: "a").WriteAsync(TaskState.Completed, ("completed", "system", null));

        var counts = (await history.CountFinishedByMinuteAsync(T0, T0.AddMinutes(3))).OrderBy(c => c.Minute).ToList();

        var first = FinishedInMinute.MinuteOf(T0);
        Assert.Equal([new FinishedInMinute(first, 1, 1, 0), new FinishedInMinute(first + 2, 1, 0, 1)], counts);
    }

    [Fact]
    public async Task States_other_than_a_tasks_write_nothing_to_the_log()
    {
        var (storage, history) = NewStores();
        await storage.WriteStateAsync("agent", GrainId.Create("agent", "agent-1"), new GrainState<TaskGrainState> { State = new TaskGrainState() });
        await storage.WriteStateAsync(TaskAuditProjection.StateName, GrainId.Create("task", "empty"), new GrainState<TaskGrainState> { State = new TaskGrainState() });

        Assert.Empty((await history.SearchAsync(new TaskSearchQuery())).Items);
    }

    /// <summary>Writes one task's states as its grain does: each with one more event, stored through the grain storage.</summary>
    private sealed class Writer(IGrainStorage storage, string taskId, DateTimeOffset createdAt, string type = "echo", string queue = "default", string? createdBy = null, string[]? tags = null)
    {
        private readonly GrainState<TaskGrainState> _stored = new() { State = new TaskGrainState() };
        private readonly GrainId _grain = GrainId.Create("task", taskId);
        private readonly TaskSubmission _submission = new() { Type = type, Queue = queue, CreatedBy = createdBy, Tags = tags ?? [] };

        public async Task WriteAsync(TaskState status, (string Message, string Actor, string? ErrorKind) happened)
        {
            var previous = _stored.State;
            var at = createdAt.AddMilliseconds(previous.LastSequence + 1);
            var next = previous.Copy();
            next.Submission = _submission;
            next.CreatedAt = createdAt;
            next.Status = status;
            next.StartedAt = status == TaskState.Running ? at : next.StartedAt;
            next.FinishedAt = status is TaskState.Completed or TaskState.Failed or TaskState.Cancelled ? at : null;
            if (happened.ErrorKind is { } kind)
            {
                next.Errors = [.. next.Errors, new TaskError { Kind = kind, Message = "boom", Attempt = 1, At = at }];
            }

            next.History = [.. next.History, new TaskEvent
            {
                Sequence = ++next.LastSequence,
                Kind = TaskEventKind.Transition,
                Status = status,
                At = at,
                Message = happened.Message,
                Actor = happened.Actor,
                ErrorKind = happened.ErrorKind,
            }];
            next.AuditedThrough = previous.Submission is null ? 0 : previous.LastSequence;
            _stored.State = next;
            await storage.WriteStateAsync(TaskAuditProjection.StateName, _grain, _stored);
        }

        public Task PurgeAsync() => storage.ClearStateAsync(TaskAuditProjection.StateName, _grain, _stored);

        public async Task RewriteFromAsync(long auditedThrough)
        {
            var again = _stored.State.Copy();
            again.AuditedThrough = auditedThrough;
            _stored.State = again;
            await storage.WriteStateAsync(TaskAuditProjection.StateName, _grain, _stored);
        }
    }
}
