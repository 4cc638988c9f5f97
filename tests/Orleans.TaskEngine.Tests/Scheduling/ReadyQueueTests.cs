using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>The oldest pending task of one ready queue, kept by a second heap instead of a scan of every entry.</summary>
public sealed class ReadyQueueTests
{
    private static QueueEntry Entry(string id, TaskPriority priority, long sequence) =>
        new() { TaskId = id, Type = null, Priority = priority, Sequence = sequence };

    [Fact]
    public void The_oldest_is_right_after_every_add_remove_and_take_against_a_plain_scan()
    {
        var queue = new ReadyQueue();
        var model = new Dictionary<string, long>(StringComparer.Ordinal);
        var random = new Random(1234);
        var priorities = Enum.GetValues<TaskPriority>();
        for (var step = 0; step < 20_000; step++)
        {
            var roll = random.Next(10);
            if (roll < 5 || model.Count == 0)
            {
                var id = $"t{random.Next(3_000)}";
                var sequence = random.Next(1_000_000);
                if (queue.Add(Entry(id, priorities[random.Next(priorities.Length)], sequence)))
                {
                    model[id] = sequence;
                }
            }
            else if (roll < 7)
            {
                var id = model.Keys.ElementAt(random.Next(model.Count));
                Assert.True(queue.Remove(id));
                model.Remove(id);
            }
            else
            {
                Assert.True(queue.TryTake(out var taken, out _));
                Assert.True(model.Remove(taken.TaskId));
            }

            Assert.Equal(model.Count == 0 ? null : model.Values.Min(), queue.OldestSequence);
        }
    }

    [Fact]
    public void An_old_low_priority_task_under_a_stream_of_urgent_ones_keeps_the_age_heap_bounded()
    {
        var queue = new ReadyQueue();
        queue.Add(Entry("old-low", TaskPriority.Low, 1));
        for (var i = 0; i < 10_000; i++)
        {
            queue.Add(Entry($"urgent-{i}", TaskPriority.Urgent, 100 + i));
            Assert.True(queue.TryTake(out var taken, out _));
            Assert.Equal($"urgent-{i}", taken.TaskId);
        }

        // The starving task stays the oldest; what was taken after it does not pile up behind it.
        Assert.Equal(1, queue.OldestSequence);
        Assert.InRange(queue.AgeHeapCount, 1, 2 + 64 + 1);
    }
}
