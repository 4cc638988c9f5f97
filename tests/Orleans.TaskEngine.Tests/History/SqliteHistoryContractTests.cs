using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Storage.Sqlite;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>The audit log's contract in the SQLite file: its grain storage writes it, SqliteTaskHistory reads it.</summary>
public sealed class SqliteHistoryContractTests(SqliteFileFixture sqlite) : HistoryContract, IClassFixture<SqliteFileFixture>
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    protected override (IGrainStorage Storage, ITaskHistory History) CreateStores(string serviceId)
    {
        var cluster = Options.Create(new ClusterOptions { ServiceId = serviceId });
        var storage = new SqliteGrainStorage(sqlite.Database, cluster, Serialization.GetRequiredService<Serializer>(), Serialization.GetRequiredService<IActivatorProvider>());
        return (storage, new SqliteTaskHistory(sqlite.Database, cluster));
    }
}
