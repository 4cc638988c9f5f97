using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>The audit log's contract on PostgreSQL: the batched grain storage writes it, PostgresTaskHistory reads it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHistoryContractTests(PostgresFixture postgres) : HistoryContract, IAsyncLifetime
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly List<PostgresGrainStorage> _storages = [];

    protected override (IGrainStorage Storage, ITaskHistory History) CreateStores(string serviceId)
    {
        var database = Options.Create(new TaskEngineDatabaseOptions { ConnectionString = postgres.ConnectionString });
        var cluster = Options.Create(new ClusterOptions { ClusterId = "history", ServiceId = serviceId });
        var storage = new PostgresGrainStorage(
            database, cluster, Serialization.GetRequiredService<Serializer>(), Serialization.GetRequiredService<IActivatorProvider>(), NullLogger<PostgresGrainStorage>.Instance);
        _storages.Add(storage);
        return (storage, new PostgresTaskHistory(database, cluster, NullLogger<PostgresTaskHistory>.Instance));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }
    }
}
