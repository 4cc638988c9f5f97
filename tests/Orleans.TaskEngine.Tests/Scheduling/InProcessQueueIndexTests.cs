using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>The embedded mode's queue index: the contract, and reads that return only what they are asked for.</summary>
public sealed class InProcessQueueIndexTests : QueueIndexContract
{
    protected override IQueueIndex CreateIndex() =>
        new InProcessQueueIndex(Options.Create(new ClusterOptions { ServiceId = "in-process-index-" + Guid.NewGuid().ToString("N")[..12] }));

    [Fact]
    public async Task Among_many_finished_tasks_the_expired_ones_come_soonest_first_up_to_the_limit()
    {
        var index = NewIndex();
        var records = Enumerable.Range(0, 20_000)
            .Select(i => new QueueIndexRecord($"t{i:D5}", i % 2 == 0 ? "even" : "odd", TaskPriority.Normal, i, T0.AddSeconds(20_000 - i)))
            .ToList();
        await Task.WhenAll(records.Select(r => index.SaveAsync(r)));

        // The soonest expiries are the highest numbers; ties cannot happen, every record expires a second apart.
        Assert.Equal(["t19998", "t19996", "t19994"], await index.LoadExpiredAsync("even", T0.AddYears(1), 3));
        Assert.Equal(["t19999"], await index.LoadExpiredAsync("odd", T0.AddSeconds(1), 10));
        Assert.Empty(await index.LoadExpiredAsync("odd", T0, 10));
        Assert.Empty(await index.LoadUnfinishedAsync("even"));

        // A purged record leaves the expiry order, and a finished task saved again as unfinished (a retry) moves back.
        await index.RemoveAsync("t19998");
        await index.SaveAsync(new QueueIndexRecord("t19996", "even", TaskPriority.High, 1, ExpiresAt: null));
        Assert.Equal(["t19994", "t19992"], await index.LoadExpiredAsync("even", T0.AddYears(1), 2));
        Assert.Equal(["t19996"], (await index.LoadUnfinishedAsync("even")).Select(e => e.TaskId));
    }

    [Fact]
    public async Task A_queue_whose_last_record_is_removed_is_no_longer_listed()
    {
        var index = NewIndex();
        await index.SaveAsync(Unfinished("a", "short-lived", TaskPriority.Normal, 1));
        await index.SaveAsync(new QueueIndexRecord("b", "short-lived", TaskPriority.Normal, 2, T0));
        Assert.Equal(["short-lived"], await index.LoadQueuesAsync());

        await index.RemoveAsync("a");
        Assert.Equal(["short-lived"], await index.LoadQueuesAsync());
        await index.RemoveAsync("b");
        Assert.Empty(await index.LoadQueuesAsync());
    }

    [Fact]
    public async Task Pages_stay_in_run_order_through_saves_out_of_order_removals_and_tasks_pending_again()
    {
        var index = NewIndex();
        var random = new Random(12);
        var live = new Dictionary<string, QueueIndexRecord>();
        for (var i = 0; i < 3_000; i++)
        {
            // Sequences mostly rising, some late; a fifth of the tasks finish, some come back pending with a new sequence.
            var id = $"t{random.Next(2_000):D4}";
            var record = Unfinished(id, "q", (TaskPriority)random.Next(4), i - random.Next(0, i % 7 == 0 ? 500 : 3));
            if (random.Next(5) == 0)
            {
                await index.SaveAsync(record with { ExpiresAt = T0 });
                live.Remove(id);
            }
            else
            {
                await index.SaveAsync(record);
                live[id] = record;
            }
        }

        var expected = live.Values
            .OrderByDescending(r => r.Priority).ThenBy(r => r.Sequence).ThenBy(r => r.TaskId, StringComparer.Ordinal)
            .Select(r => new QueueEntry { TaskId = r.TaskId, Priority = r.Priority, Sequence = r.Sequence });
        Assert.Equal(expected, await index.LoadUnfinishedAsync("q"));
    }
}
