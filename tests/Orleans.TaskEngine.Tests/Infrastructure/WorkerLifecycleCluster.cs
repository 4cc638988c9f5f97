using Orleans.TaskEngine.Workers;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// Two silos (tests stop one and start another), the short grace settings of <see cref="EngineCluster.CommonSettings"/>,
/// and the exclusive queue <see cref="Queue"/>: one 3-slot worker on each secondary silo and one 1-slot worker on the
/// primary. A task submitted while both are idle goes to the secondary (most free slots); once that silo is gone, the
/// primary runs what comes back.
/// </summary>
public sealed class WorkerLifecycleCluster() : EngineCluster(2, new Dictionary<string, string?>
{
    [$"TaskEngine:Queues:Overrides:{Queue}:Exclusive"] = "true",
})
{
    public const string Queue = "drain";

    /// <summary>Slots of <see cref="Queue"/> on the primary silo and on each secondary.</summary>
    public const int PrimarySlots = 1, SecondarySlots = 3;

    /// <summary>A running secondary silo (started anew if a test stopped the last one) whose worker the queue uses, all idle.</summary>
    public async Task<SiloHandle> IdleSecondaryAsync()
    {
        var silo = Cluster.SecondarySilos.FirstOrDefault(s => s.IsActive) ?? await Cluster.StartAdditionalSiloAsync();
        var worker = WorkerKey.Create(silo.SiloAddress, Queue, 0);
        await Eventually.Until(
            async () =>
            {
                try
                {
                    return await Engine.GetQueueAsync(Queue);
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException)
                {
                    // A silo stopped by the previous test may still be leaving.
                    return null;
                }
            },
            q => q is not null && q.Workers.Contains(worker) && q.Running == 0 && q.FreeSlots == PrimarySlots + SecondarySlots,
            TimeSpan.FromSeconds(60),
            $"queue {Queue} to use the idle worker {worker}");
        return silo;
    }

    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<DrainPoolConfigurator>();
}
