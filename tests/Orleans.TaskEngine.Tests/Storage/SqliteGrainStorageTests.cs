using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.Storage.Sqlite;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Storage;

/// <summary>The single-file store's grain storage keeps the contract of the others.</summary>
public sealed class SqliteGrainStorageTests(SqliteFileFixture sqlite) : GrainStorageContract, IClassFixture<SqliteFileFixture>
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    protected override IGrainStorage CreateStorage(string serviceId) => new SqliteGrainStorage(
        sqlite.Database, Options.Create(new ClusterOptions { ServiceId = serviceId }), Serialization.GetRequiredService<Serializer>(), Serialization.GetRequiredService<IActivatorProvider>());
}
