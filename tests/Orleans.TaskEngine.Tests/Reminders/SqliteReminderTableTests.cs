using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Storage.Sqlite;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Reminders;

public sealed class SqliteReminderTableTests(SqliteFileFixture sqlite) : ReminderTableContract, IClassFixture<SqliteFileFixture>
{
    protected override IReminderTable CreateTable(string serviceId) => new SqliteReminderTable(sqlite.Database, Options.Create(new ClusterOptions { ServiceId = serviceId }));
}
