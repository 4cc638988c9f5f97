using Orleans.Runtime;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Grains;

[Collection(SharedClusterCollection.Name)]
public sealed class GrainFactoryExtensionsTests(SharedEngineCluster fixture)
{
    [Fact]
    public void A_reference_by_key_is_the_one_Orleans_gives_for_each_interface_and_key()
    {
        var grains = fixture.Cluster.GrainFactory;
        foreach (var key in new[] { "task-a", "task-b", "any" })
        {
            AssertSame(grains.GetGrain<ITaskGrain>(key), grains.GetGrainByKey<ITaskGrain>(key));
            AssertSame(grains.GetGrain<ISchedulerGrain>(key), grains.GetGrainByKey<ISchedulerGrain>(key));
        }

        Assert.ThrowsAny<ArgumentException>(() => grains.GetGrain<ITaskGrain>(" "));
        Assert.ThrowsAny<ArgumentException>(() => grains.GetGrainByKey<ITaskGrain>(" "));
    }

    [Fact]
    public async Task A_task_submitted_through_a_reference_by_key_is_the_task_Orleans_reference_reads()
    {
        var id = "by-key-" + Guid.NewGuid().ToString("N");

        var submitted = await fixture.Cluster.GrainFactory.GetGrainByKey<ITaskGrain>(id).Submit(new TaskSubmission { Type = "echo" });
        var read = await fixture.Cluster.GrainFactory.GetGrain<ITaskGrain>(id).Get();

        Assert.Equal(SubmitOutcome.Accepted, submitted.Outcome);
        Assert.Equal(id, read?.Id);
    }

    [Fact]
    public async Task A_factory_that_is_not_Orleans_own_gets_the_standard_call()
    {
        var fake = Api.ClusterHealthCheckTests.UnreachableCluster.Create();

        var task = fake.GetGrainByKey<ITaskGrain>("task-a");

        // The double's grain, whose calls fail as the double makes them fail.
        await Assert.ThrowsAsync<SiloUnavailableException>(() => task.Get());
    }

    private static void AssertSame<TGrain>(TGrain expected, TGrain actual)
        where TGrain : IAddressable
    {
        Assert.Equal(expected.GetGrainId(), actual.GetGrainId());
        Assert.Equal(((GrainReference)(object)expected).InterfaceType, ((GrainReference)(object)actual).InterfaceType);
        Assert.IsAssignableFrom<TGrain>(actual);
    }
}
