using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Scheduling;

public sealed class TypedReadyQueueTests
{
    private static QueueEntry Entry(string id, string? type, TaskPriority priority = TaskPriority.Normal, long sequence = 0) =>
        new() { TaskId = id, Type = type, Priority = priority, Sequence = sequence };

    [Fact]
    public void Takes_the_first_in_line_among_the_types_someone_can_run()
    {
        var queue = new TypedReadyQueue();
        queue.Add(Entry("a1", "a", TaskPriority.Urgent, 1));
        queue.Add(Entry("b1", "b", TaskPriority.High, 2));
        queue.Add(Entry("b2", "b", TaskPriority.Urgent, 3));
        queue.Add(Entry("c1", "c", TaskPriority.Low, 0));

        // Nobody runs "a": the urgent b2 goes first, then b1, then c1; a1 waits without holding up the rest.
        var taken = new List<string>();
        while (queue.TryTake(type => type != "a", out var entry, out _))
        {
            taken.Add(entry.TaskId);
        }

        Assert.Equal(["b2", "b1", "c1"], taken);
        Assert.Equal(1, queue.Count);
        Assert.Equal([("a", 1)], queue.Types.Select(t => (t.Type!, t.Count)));
        Assert.True(queue.TryTake(_ => true, out var last, out _));
        Assert.Equal("a1", last.TaskId);
    }

    [Fact]
    public void The_oldest_pending_is_the_earliest_ready_of_any_type_and_priority_and_none_when_empty()
    {
        var queue = new TypedReadyQueue();
        Assert.Null(queue.OldestSequence);
        queue.Add(Entry("u", "a", TaskPriority.Urgent, 30));
        queue.Add(Entry("l", "b", TaskPriority.Low, 7));
        queue.Add(Entry("n", "a", TaskPriority.Normal, 12));
        Assert.Equal(7, queue.OldestSequence);

        queue.Remove("l");
        Assert.Equal(12, queue.OldestSequence);
        while (queue.TryTake(_ => true, out _, out _))
        {
        }

        Assert.Null(queue.OldestSequence);
    }

    [Fact]
    public void Fifo_within_a_priority_holds_across_types()
    {
        var queue = new TypedReadyQueue();
        queue.Add(Entry("x2", "x", sequence: 20));
        queue.Add(Entry("y1", "y", sequence: 10));
        queue.Add(Entry("x1", "x", sequence: 5));
        var taken = new List<string>();
        while (queue.TryTake(_ => true, out var entry, out _))
        {
            taken.Add(entry.TaskId);
        }

        Assert.Equal(["x1", "y1", "x2"], taken);
    }

    [Fact]
    public void Counts_confirmed_entries_and_removes_across_types()
    {
        var queue = new TypedReadyQueue();
        Assert.True(queue.Add(Entry("t1", "a"), unconfirmed: true));
        Assert.True(queue.Add(Entry("t2", "b")));
        Assert.False(queue.Add(Entry("t2", "a")));
        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.Confirmed);

        queue.Confirm("t1");
        Assert.Equal(2, queue.Confirmed);
        Assert.True(queue.Remove("t2"));
        Assert.False(queue.Remove("t2"));
        Assert.Equal(1, queue.Count);
        Assert.Equal(1, queue.Confirmed);
        Assert.True(queue.Contains("t1"));
        Assert.Equal(1, queue.CountOf(TaskPriority.Normal));
    }

    [Fact]
    public void An_untyped_entry_from_an_old_index_record_goes_to_anyone()
    {
        var queue = new TypedReadyQueue();
        queue.Add(Entry("old", type: null), unconfirmed: true);
        string? asked = "unset";
        Assert.True(queue.TryTake(type => { asked = type; return true; }, out var entry, out var unconfirmed));
        Assert.Null(asked);
        Assert.Equal("old", entry.TaskId);
        Assert.True(unconfirmed);
        Assert.Equal(0, queue.Confirmed);
    }
}
