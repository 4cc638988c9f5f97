using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Workers;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>
/// A silo stopped gracefully (issue 12, case 6) lets its running handlers finish within the shutdown grace period
/// (3 s in tests), and hands back, as <c>handed_back</c>, the attempts of handlers that are still running after it
/// and the cancellation grace (2 s in tests). Each test stops the secondary silo and the next one starts a new one.
/// </summary>
public sealed class GracefulStopTests(WorkerLifecycleCluster fixture) : IClassFixture<WorkerLifecycleCluster>
{
    private const string Queue = WorkerLifecycleCluster.Queue;
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_handler_that_finishes_within_the_shutdown_grace_period_completes_at_attempt_1_and_runs_once()
    {
        var silo = await fixture.IdleSecondaryAsync();
        var key = $"grace-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        try
        {
            var id = await _engine.SubmitOk("record", new { key, gate }, s => s with { Queue = Queue });
            var running = await RunningOnAsync(id, silo);
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 1, EngineTestExtensions.Deadline, "the handler to start");

            var stopping = fixture.Cluster.StopSiloAsync(silo);

            // The stopping worker takes no new work: it leaves the directory at once, while its handler still runs.
            var directory = fixture.Cluster.GrainFactory.GetGrain<IWorkerDirectoryGrain>(0);
            await Eventually.Until(() => Probe(directory.GetWorkers), w => w is not null && w.All(r => r.WorkerId != running.WorkerId),
                EngineTestExtensions.Deadline, "the stopping worker to leave the directory");
            Assert.False(stopping.IsCompleted, "the silo stopped before its handler finished");
            TestProbe.OpenGate(gate);
            await stopping;

            var task = await CompletedAsync(id);
            Assert.Equal(1, task.Attempts);
            Assert.Empty(task.Errors);
            Assert.Equal(running.WorkerId, task.WorkerId);
            Assert.Equal([id], TestProbe.StartsOf(key));
        }
        finally
        {
            TestProbe.OpenGate(gate);
        }
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_past_the_grace_periods_is_handed_back_and_runs_again_elsewhere()
    {
        var silo = await fixture.IdleSecondaryAsync();
        var key = $"handback-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        TestProbe.OpenGate($"{gate}-2");
        try
        {
            var id = await _engine.SubmitOk("stubborn", new { key, gate }, s => s with { Queue = Queue });
            await RunningOnAsync(id, silo);
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 1, EngineTestExtensions.Deadline, "the handler to start");

            // Attempt 1 never returns while the silo stops: it outlives both grace periods (3 s + 2 s), and meanwhile the
            // task's liveness check (every second) must keep finding it running.
            await fixture.Cluster.StopSiloAsync(silo);

            var task = await CompletedAsync(id);
            var error = Assert.Single(task.Errors);
            Assert.Equal(TaskErrorKinds.HandedBack, error.Kind);
            Assert.Equal(1, error.Attempt);
            Assert.Equal(fixture.Cluster.Primary!.SiloAddress.ToParsableString(), task.Silo);
            Assert.Equal([$"{id}/1", $"{id}/2"], TestProbe.StartsOf(key));
            Assert.DoesNotContain($"{id}/1", TestProbe.ReturnsOf(key));
        }
        finally
        {
            TestProbe.OpenGate($"{gate}-1");
        }
    }

    /// <summary>
    /// Needs the task grain's side of issue 12 (case 8): a handed-back attempt goes back to pending without counting
    /// against <c>maxAttempts</c> or the worker-loss guard. Until then the task fails here, its one attempt used up.
    /// </summary>
    [Fact]
    public async Task A_handed_back_task_does_not_use_up_an_attempt()
    {
        var silo = await fixture.IdleSecondaryAsync();
        var key = $"handback-once-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        TestProbe.OpenGate($"{gate}-2");
        try
        {
            var id = await _engine.SubmitOk("stubborn", new { key, gate }, s => s with { Queue = Queue, MaxAttempts = 1 });
            await RunningOnAsync(id, silo);
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 1, EngineTestExtensions.Deadline, "the handler to start");

            await fixture.Cluster.StopSiloAsync(silo);

            var task = await Eventually.Until(() => Probe(() => _engine.GetAsync(id)), t => t is not null && t.Status.IsTerminal(),
                TimeSpan.FromSeconds(60), $"task {id} to finish");
            Assert.Equal(TaskState.Completed, task!.Status);
            Assert.Equal(TaskErrorKinds.HandedBack, Assert.Single(task.Errors).Kind);
        }
        finally
        {
            TestProbe.OpenGate($"{gate}-1");
        }
    }

    [Fact]
    public void The_host_leaves_a_stopping_silo_room_for_its_workers_grace_periods()
    {
        var host = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Primary!.SiloAddress).GetRequiredService<IOptions<HostOptions>>().Value;

        // 3 s shutdown grace + 2 s cancellation grace + 5 s for the hand-back reports, then Orleans' own 30 s.
        Assert.Equal(TimeSpan.FromSeconds(40), host.ShutdownTimeout);
    }

    private async Task<TaskSnapshot> RunningOnAsync(string id, SiloHandle silo)
    {
        var running = await _engine.InState(id, TaskState.Running);
        Assert.Equal(silo.SiloAddress.ToParsableString(), running!.Silo);
        return running;
    }

    private async Task<TaskSnapshot> CompletedAsync(string id)
    {
        var task = await Eventually.Until(() => Probe(() => _engine.GetAsync(id)), t => t?.Status == TaskState.Completed,
            TimeSpan.FromSeconds(60), $"task {id} to complete");
        return task!;
    }

    /// <summary>A read that a silo leaving the cluster may fail for a moment: null then, and the caller asks again.</summary>
    private static async Task<T?> Probe<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            return default;
        }
    }
}
