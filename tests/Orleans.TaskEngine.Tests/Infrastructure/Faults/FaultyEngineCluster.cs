using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>One silo whose task storage, queue index and reminder table fail where a test arms <see cref="StoreFaults"/>.</summary>
public sealed class FaultyEngineCluster() : EngineCluster(1)
{
    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FaultInjectionSiloConfigurator>();
}

[CollectionDefinition(Name)]
public sealed class FaultyClusterCollection : ICollectionFixture<FaultyEngineCluster>
{
    public const string Name = "faulty cluster";
}
