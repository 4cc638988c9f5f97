using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Tests.Workers;

/// <summary>
/// A worker activation that Orleans takes away while its handlers run, its silo staying up (issue 12, case 7: e.g. its
/// grain directory partition moved after a silo died elsewhere). The silo starts the worker again within a heartbeat;
/// the fresh activation must not start the same attempt a second time.
/// </summary>
public sealed class WorkerDeactivationTests(WorkerLifecycleCluster fixture) : IClassFixture<WorkerLifecycleCluster>
{
    private readonly TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task A_worker_activation_that_goes_away_while_its_handler_runs_does_not_let_the_task_start_twice()
    {
        await fixture.IdleSecondaryAsync();
        var key = $"deactivated-{Guid.NewGuid():N}";
        var gate = $"{key}-gate";
        try
        {
            var id = await _engine.SubmitOk("record", new { key, gate }, s => s with { Queue = WorkerLifecycleCluster.Queue });
            var running = await _engine.InState(id, TaskState.Running);
            await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(key)), s => s.Count == 1, EngineTestExtensions.Deadline, "the handler to start");
            var worker = fixture.Cluster.GrainFactory.GetGrain<IWorkerGrain>(running!.WorkerId!);

            await fixture.Cluster.DeactivateAsync(worker.GetGrainId());

            // The fresh activation, started again by its silo, still counts the attempt as its own: the task's liveness
            // check (every second) keeps finding it running, and the queue does not hand it out again.
            await Eventually.Until(worker.GetStatus, s => s.Active && s.RunningTaskIds.Contains(id), EngineTestExtensions.Deadline,
                "the restarted worker to know the attempt still runs");
            Assert.True(await worker.IsRunning(id, 1), "the restarted worker does not know attempt 1");

            TestProbe.OpenGate(gate);
            var task = await _engine.Finished(id);
            Assert.Equal(TaskState.Completed, task.Status);
            Assert.Equal(1, task.Attempts);
            Assert.Empty(task.Errors);
            Assert.Equal([id], TestProbe.StartsOf(key));

            // The handler's slot, freed after its activation went, is free in its queue's eyes too.
            await fixture.IdleSecondaryAsync();
        }
        finally
        {
            TestProbe.OpenGate(gate);
        }
    }

    [Fact]
    public async Task A_worker_grain_activates_on_the_silo_its_key_names_whoever_calls_it_first()
    {
        var silo = await fixture.IdleSecondaryAsync();
        var management = fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);

        // A worker id of the secondary that no one has called yet (no cached address anywhere), called first on the
        // primary, as a task grain's liveness check there would after the worker's activation went away: preferring
        // the caller's silo would put the activation on the primary, where it knows nothing of what runs on its own.
        var fromPrimary = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Primary!.SiloAddress).GetRequiredService<IGrainFactory>();
        var worker = fromPrimary.GetGrain<IWorkerGrain>(WorkerKey.Create(silo.SiloAddress, "spare", Random.Shared.Next(1000, 100_000)));
        var status = await worker.GetStatus();

        Assert.False(status.Active);
        Assert.Equal(silo.SiloAddress, await management.GetActivationAddress(worker));
    }
}
