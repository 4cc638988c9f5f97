using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Storage;

namespace Orleans.TaskEngine.Tests.Reminders;

public sealed class InProcessReminderTableTests : ReminderTableContract
{
    protected override IReminderTable CreateTable(string serviceId) => new InProcessReminderTable(Options.Create(new ClusterOptions { ServiceId = serviceId }));
}
