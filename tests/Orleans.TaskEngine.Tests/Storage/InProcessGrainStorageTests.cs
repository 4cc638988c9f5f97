using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TaskEngine.Storage;

namespace Orleans.TaskEngine.Tests.Storage;

/// <summary>The embedded mode's task state store keeps the contract of the durable one.</summary>
public sealed class InProcessGrainStorageTests : GrainStorageContract
{
    // Orleans' serializer as a silo has it, without a silo.
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    protected override IGrainStorage CreateStorage(string serviceId) =>
        new InProcessGrainStorage(Serialization.GetRequiredService<Serializer>(), Options.Create(new ClusterOptions { ServiceId = serviceId }));
}
