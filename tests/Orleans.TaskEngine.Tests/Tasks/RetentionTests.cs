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
