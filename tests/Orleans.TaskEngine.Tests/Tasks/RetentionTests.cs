using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Tasks;

/// <summary>A one-silo cluster whose finished tasks are kept 2 seconds.</summary>
public sealed class ShortRetentionEngineCluster() : EngineCluster(1, new Dictionary<string, string?> { ["TaskEngine:Tasks:Retention"] = "00:00:02" });

public sealed class RetentionTests(ShortRetentionEngineCluster fixture) : IClassFixture<ShortRetentionEngineCluster>
{
    [Fact]
    public async Task A_finished_task_keeps_its_result_for_the_retention_time_then_its_state_is_removed()
    {
        var engine = fixture.Engine;
        var id = await engine.SubmitOk("echo", new { keep = "me" });
        var task = await engine.Finished(id);
        Assert.Equal("""{"keep":"me"}""", task.Result);
        Assert.Equal(task.FinishedAt + TimeSpan.FromSeconds(2), task.ExpiresAt);

        var gone = await Eventually.Until(() => engine.GetAsync(id), t => t is null, TimeSpan.FromSeconds(20), "the task to expire");
        Assert.Null(gone);
        Assert.True(DateTimeOffset.UtcNow >= task.ExpiresAt);
    }
}

/// <summary>
/// A one-silo cluster whose finished tasks are kept 2 seconds and whose grains leave anything more than 1 second
/// away to the durable backstops: the expiry can only come from the queue index.
/// </summary>
public sealed class IndexedRetentionEngineCluster() : EngineCluster(1, new Dictionary<string, string?>
{
    ["TaskEngine:Tasks:Retention"] = "00:00:02",
    ["TaskEngine:Tasks:WatchdogPeriod"] = "00:00:01",
});

public sealed class IndexedRetentionTests(IndexedRetentionEngineCluster fixture) : IClassFixture<IndexedRetentionEngineCluster>
{
    [Fact]
    public async Task The_scheduler_purges_a_finished_task_when_the_queue_index_says_it_expired()
    {
        var engine = fixture.Engine;
        var index = new InProcessQueueIndex(Options.Create(new ClusterOptions { ServiceId = fixture.Cluster.Options.ServiceId }));
        var id = await engine.SubmitOk("echo", new { keep = "me" });
        var task = await engine.Finished(id);

        var listed = await Eventually.Until(
            () => index.LoadExpiredAsync(TaskDefaults.Queue, task.ExpiresAt!.Value, 10), ids => ids.Contains(id), EngineTestExtensions.Deadline, "the expiry in the index");
        Assert.Contains(id, listed);

        var gone = await Eventually.Until(() => engine.GetAsync(id), t => t is null, TimeSpan.FromSeconds(20), "the task to expire");
        Assert.Null(gone);
        Assert.True(DateTimeOffset.UtcNow >= task.ExpiresAt);
        await Eventually.Until(
            () => index.LoadExpiredAsync(TaskDefaults.Queue, DateTimeOffset.MaxValue, 10), ids => !ids.Contains(id), EngineTestExtensions.Deadline, "the record to be removed");
    }
}
