using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>
/// What every <see cref="IQueueIndex"/> must do, run against each implementation: the in-process one and PostgreSQL's.
/// <see cref="NewIndex"/> gives an index of its own service id, so indexes of one test do not see each other.
/// </summary>
public abstract class QueueIndexContract : DisposesWhatItCreates<IQueueIndex>
{
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A new index with a service id of its own; disposed after the test if it is disposable.</summary>
    protected IQueueIndex NewIndex() => Track(CreateIndex());

    protected abstract IQueueIndex CreateIndex();

    [Fact]
    public async Task Unfinished_records_load_by_priority_descending_then_sequence()
    {
        var index = NewIndex();
        await Task.WhenAll(
            index.SaveAsync(Unfinished("low-1", "q", TaskPriority.Low, 1)),
            index.SaveAsync(Unfinished("high-5", "q", TaskPriority.High, 5)),
            index.SaveAsync(Unfinished("normal-2", "q", TaskPriority.Normal, 2)),
            index.SaveAsync(Unfinished("high-3", "q", TaskPriority.High, 3)),
            index.SaveAsync(Unfinished("urgent-9", "q", TaskPriority.Urgent, 9)),
            index.SaveAsync(Unfinished("other-queue", "other", TaskPriority.Urgent, 0)));

        var entries = await index.LoadUnfinishedAsync("q");

        Assert.Equal(["urgent-9", "high-3", "high-5", "normal-2", "low-1"], entries.Select(e => e.TaskId));
        Assert.Equal(new QueueEntry { TaskId = "high-3", Priority = TaskPriority.High, Sequence = 3 }, entries[1]);
        Assert.Empty(await index.LoadUnfinishedAsync("no-such-queue"));
    }

    [Fact]
    public async Task An_unfinished_record_keeps_its_task_type_for_the_rebuild_and_a_record_without_one_loads_untyped()
    {
        var index = NewIndex();
        await index.SaveAsync(new QueueIndexRecord("typed", "types", TaskPriority.High, 1, null, "py.ingest"));
        await index.SaveAsync(new QueueIndexRecord("untyped", "types", TaskPriority.Normal, 2, null));
        await index.SaveAsync(new QueueIndexRecord("typed-later", "types", TaskPriority.Normal, 3, null, "echo"));

        // As for every field, the last save says (a save without a type is one from before types were recorded).
        await index.SaveAsync(new QueueIndexRecord("typed-later", "types", TaskPriority.Normal, 3, null));

        var entries = await index.LoadUnfinishedAsync("types");

        Assert.Equal(["py.ingest", null, null], entries.Select(e => e.Type));
    }

    [Fact]
    public async Task Unfinished_records_load_a_page_at_a_time_each_page_after_the_last_entry_of_the_one_before()
    {
        var index = NewIndex();

        // Ties on purpose: within a priority several share a sequence, so the task id decides, and a page may end in
        // the middle of a priority or of a sequence.
        var records = new List<QueueIndexRecord>();
        foreach (var priority in Enum.GetValues<TaskPriority>())
        {
            for (var i = 0; i < 7; i++)
            {
                records.Add(Unfinished($"{priority}-{i}", "paged", priority, i / 3));
            }
        }

        records.Add(new QueueIndexRecord("finished", "paged", TaskPriority.Urgent, 0, T0));
        records.Add(Unfinished("elsewhere", "other", TaskPriority.Urgent, 0));
        await Task.WhenAll(records.Select(r => index.SaveAsync(r)));

        var expected = records
            .Where(r => r.Queue == "paged" && r.ExpiresAt is null)
            .OrderByDescending(r => r.Priority).ThenBy(r => r.Sequence).ThenBy(r => r.TaskId, StringComparer.Ordinal)
            .Select(r => r.TaskId)
            .ToList();
        var pages = new List<IReadOnlyList<QueueEntry>>();
        QueueEntry? after = null;
        do
        {
            pages.Add(await index.LoadUnfinishedAsync("paged", after, 4));
            after = pages[^1].Count > 0 ? pages[^1][^1] : after;
        }
        while (pages[^1].Count == 4);

        // 28 tasks: seven full pages, then an empty one after the last task.
        Assert.Equal(expected, pages.SelectMany(p => p).Select(e => e.TaskId));
        Assert.Equal(8, pages.Count);
        Assert.Empty(pages[^1]);

        // A page can start after an entry no longer stored (the task started meanwhile): its place is what counts.
        var gone = new QueueEntry { TaskId = "High-4", Priority = TaskPriority.High, Sequence = 1 };
        await index.RemoveAsync(gone.TaskId);
        Assert.Equal(["High-5", "High-6", "Normal-0"], (await index.LoadUnfinishedAsync("paged", gone, 3)).Select(e => e.TaskId));
    }

    [Fact]
    public async Task A_finished_record_leaves_the_unfinished_ones_and_is_expired_once_now_reaches_its_expiry()
    {
        var index = NewIndex();
        await index.SaveAsync(Unfinished("t1", "q", TaskPriority.Normal, 1));
        await index.SaveAsync(Unfinished("t2", "q", TaskPriority.Normal, 2));
        Assert.Empty(await index.LoadExpiredAsync("q", T0.AddYears(10), 10));

        await index.SaveAsync(new QueueIndexRecord("t1", "q", TaskPriority.Normal, 1, T0));
        await index.SaveAsync(new QueueIndexRecord("t2", "q", TaskPriority.Normal, 2, T0.AddMinutes(-5)));

        Assert.Empty(await index.LoadUnfinishedAsync("q"));
        Assert.Empty(await index.LoadExpiredAsync("q", T0.AddMinutes(-5).AddTicks(-10), 10));
        Assert.Equal(["t2"], await index.LoadExpiredAsync("q", T0.AddTicks(-10), 10));

        // At its expiry exactly, oldest first; the limit and an offset other than UTC are respected.
        Assert.Equal(["t2", "t1"], await index.LoadExpiredAsync("q", T0.ToOffset(TimeSpan.FromHours(3)), 10));
        Assert.Equal(["t2"], await index.LoadExpiredAsync("q", T0, 1));
        Assert.Empty(await index.LoadExpiredAsync("other", T0, 10));
    }

    [Fact]
    public async Task Expired_records_come_soonest_first_within_and_across_seconds_up_to_the_limit()
    {
        var index = NewIndex();

        // 40 records 250 ms apart (ten seconds), saved out of order; two share an expiry (their order is not defined).
        var expiries = Enumerable.Range(0, 40).Select(i => (Id: $"t{i:D2}", At: T0.AddMilliseconds(250 * i))).ToList();
        expiries.Add(("t05-twin", T0.AddMilliseconds(250 * 5)));
        foreach (var (id, at) in expiries.OrderBy(e => (e.Id.GetHashCode() & 0xff, e.Id)))
        {
            await index.SaveAsync(new QueueIndexRecord(id, "q", TaskPriority.Normal, 1, at));
        }

        // Removed, and finished again with a later expiry: listed once, at the new one.
        await index.RemoveAsync("t01");
        await index.SaveAsync(new QueueIndexRecord("t02", "q", TaskPriority.Normal, 1, T0.AddSeconds(30)));

        var soonest = await index.LoadExpiredAsync("q", T0.AddMilliseconds(250 * 7), 5);
        Assert.Equal(["t00", "t03", "t04"], soonest.Take(3));
        Assert.Equal(["t05", "t05-twin"], soonest.Skip(3).Order(StringComparer.Ordinal));

        var upToTwoSeconds = await index.LoadExpiredAsync("q", T0.AddSeconds(2).AddTicks(-1), 100);
        Assert.Equal(["t00", "t03", "t04"], upToTwoSeconds.Take(3));
        Assert.Equal(["t05", "t05-twin"], upToTwoSeconds.Skip(3).Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(["t06", "t07"], upToTwoSeconds.Skip(5));

        var all = await index.LoadExpiredAsync("q", T0.AddMinutes(1), 100);
        Assert.Equal(40, all.Count);
        Assert.Equal("t39", all[^2]);
        Assert.Equal("t02", all[^1]);
    }

    [Fact]
    public async Task Remove_deletes_the_record_and_removing_a_missing_one_does_nothing()
    {
        var index = NewIndex();
        await index.SaveAsync(Unfinished("kept", "q", TaskPriority.Normal, 1));
        await index.SaveAsync(Unfinished("removed", "q", TaskPriority.Normal, 2));
        await index.SaveAsync(new QueueIndexRecord("finished", "q", TaskPriority.Normal, 3, T0));

        await Task.WhenAll(index.RemoveAsync("removed"), index.RemoveAsync("finished"), index.RemoveAsync("never-saved"));

        Assert.Equal(["kept"], (await index.LoadUnfinishedAsync("q")).Select(e => e.TaskId));
        Assert.Empty(await index.LoadExpiredAsync("q", T0, 10));
    }

    [Fact]
    public async Task Operations_on_one_task_given_together_end_as_the_last_one_says()
    {
        var index = NewIndex();
        await index.SaveAsync(Unfinished("gone", "q", TaskPriority.Low, 1));

        // Whether or not they share a batch, the outcome is the last operation of each task.
        await Task.WhenAll(
            index.SaveAsync(Unfinished("twice", "q", TaskPriority.Low, 1)),
            index.SaveAsync(Unfinished("twice", "q", TaskPriority.Urgent, 7)),
            index.RemoveAsync("gone"),
            index.SaveAsync(Unfinished("gone", "q", TaskPriority.High, 2)),
            index.RemoveAsync("gone"));

        var entries = await index.LoadUnfinishedAsync("q");
        Assert.Equal([new QueueEntry { TaskId = "twice", Priority = TaskPriority.Urgent, Sequence = 7 }], entries);
    }

    [Fact]
    public async Task Two_service_ids_do_not_see_each_others_records()
    {
        var first = NewIndex();
        var second = NewIndex();
        await first.SaveAsync(Unfinished("same-id", "q", TaskPriority.Low, 1));
        await second.SaveAsync(Unfinished("same-id", "q", TaskPriority.High, 2));
        await second.SaveAsync(Unfinished("only-second", "q2", TaskPriority.High, 3));
        await first.SaveAsync(new QueueIndexRecord("expired-first", "q", TaskPriority.Low, 4, T0));

        Assert.Equal([new QueueEntry { TaskId = "same-id", Priority = TaskPriority.Low, Sequence = 1 }], await first.LoadUnfinishedAsync("q"));
        Assert.Equal([new QueueEntry { TaskId = "same-id", Priority = TaskPriority.High, Sequence = 2 }], await second.LoadUnfinishedAsync("q"));
        Assert.Empty(await second.LoadExpiredAsync("q", T0, 10));
        Assert.Equal(["q"], await first.LoadQueuesAsync());
        Assert.Equal(["q", "q2"], await second.LoadQueuesAsync());

        await second.RemoveAsync("same-id");
        Assert.Single(await first.LoadUnfinishedAsync("q"));
    }

    [Fact]
    public async Task LoadQueues_lists_each_queue_with_any_record_once()
    {
        var index = NewIndex();
        Assert.Empty(await index.LoadQueuesAsync());

        var records = new List<QueueIndexRecord>();
        foreach (var queue in new[] { "reports", "emails", "default" })
        {
            for (var i = 0; i < 5; i++)
            {
                records.Add(Unfinished($"{queue}-{i}", queue, TaskPriority.Normal, i));
            }
        }

        records.Add(new QueueIndexRecord("finished-only", "archive", TaskPriority.Normal, 0, T0));
        await Task.WhenAll(records.Select(r => index.SaveAsync(r)));

        Assert.Equal(["archive", "default", "emails", "reports"], await index.LoadQueuesAsync());
    }

    [Fact]
    public async Task LoadQueuesToServe_lists_queues_with_unfinished_or_expired_records_only()
    {
        var index = NewIndex();
        await Task.WhenAll(
            index.SaveAsync(Unfinished("pending", "to-run", TaskPriority.Normal, 1)),
            index.SaveAsync(new QueueIndexRecord("done-early", "to-purge", TaskPriority.Normal, 1, T0.AddMinutes(-1))),
            index.SaveAsync(new QueueIndexRecord("done-late", "to-purge", TaskPriority.Normal, 2, T0.AddHours(1))),
            index.SaveAsync(new QueueIndexRecord("done", "retained", TaskPriority.Normal, 1, T0.AddSeconds(1))),
            index.SaveAsync(Unfinished("running", "both", TaskPriority.Normal, 1)),
            index.SaveAsync(new QueueIndexRecord("done-both", "both", TaskPriority.Normal, 2, T0.AddHours(1))));

        Assert.Equal(["both", "retained", "to-purge", "to-run"], await index.LoadQueuesAsync());
        Assert.Equal(["both", "to-purge", "to-run"], await index.LoadQueuesToServeAsync(T0));
        Assert.Equal(["both", "retained", "to-purge", "to-run"], await index.LoadQueuesToServeAsync(T0.AddSeconds(1)));

        // Once its last unfinished task finishes, a queue has nothing to serve until an expiry comes.
        await index.SaveAsync(new QueueIndexRecord("pending", "to-run", TaskPriority.Normal, 1, T0.AddHours(1)));
        Assert.Equal(["both", "to-purge"], await index.LoadQueuesToServeAsync(T0));
    }

    protected static QueueIndexRecord Unfinished(string taskId, string queue, TaskPriority priority, long sequence) =>
        new(taskId, queue, priority, sequence, ExpiresAt: null);
}
