using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage.Sqlite;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Scheduling;

/// <summary>The single-file store's queue index keeps the contract of the others.</summary>
public sealed class SqliteQueueIndexTests(SqliteFileFixture sqlite) : QueueIndexContract, IClassFixture<SqliteFileFixture>
{
    protected override IQueueIndex CreateIndex() =>
        new SqliteQueueIndex(sqlite.Database, Options.Create(new ClusterOptions { ServiceId = "sqlite-index-" + Guid.NewGuid().ToString("N")[..12] }));
}
