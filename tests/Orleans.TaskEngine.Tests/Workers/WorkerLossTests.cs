using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>Its own two-silo cluster, because the test kills a silo.</summary>
public sealed class FailoverEngineCluster() : EngineCluster(2);

public sealed class WorkerLossTests(FailoverEngineCluster fixture) : IClassFixture<FailoverEngineCluster>
{
    [Fact]
    public async Task Tasks_running_on_a_killed_silo_go_back_to_pending_and_complete_on_the_other_within_30_seconds()
    {
        var engine = fixture.Engine;
        var secondary = fixture.Cluster.SecondarySilos[0];
        var secondaryAddress = secondary.SiloAddress.ToParsableString();

        // 12 slots in all: every task starts at once, about half on each silo; each runs 8 s, far under its 300 s timeout.
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await engine.SubmitOk("delay", new { ms = 8000 }));
        }

        var running = new List<TaskSnapshot>();
        foreach (var id in ids)
        {
            running.Add((await engine.InState(id, TaskState.Running))!);
        }

        var onSecondary = running.Where(t => t.Silo == secondaryAddress).Select(t => t.Id).ToList();
        Assert.NotEmpty(onSecondary);

        await fixture.Cluster.KillSiloAsync(secondary);
        var killedAt = DateTimeOffset.UtcNow;

        foreach (var id in ids)
        {
            var task = await engine.Finished(id, TimeSpan.FromSeconds(60));
            Assert.Equal(TaskState.Completed, task.Status);
            Assert.Equal(300, task.TimeoutSeconds);
            if (onSecondary.Contains(id))
            {
                Assert.Equal(2, task.Attempts);
                Assert.NotEqual(secondaryAddress, task.Silo);
                Assert.Contains(task.Errors, e => e.Kind == TaskErrorKinds.WorkerLost && e.Attempt == 1);
                var rerunStart = task.History.Last(e => e.Status == TaskState.Running).At;
                Assert.True(rerunStart - killedAt < TimeSpan.FromSeconds(30), $"task {id} re-ran {rerunStart - killedAt} after the kill");
            }
        }
    }
}
