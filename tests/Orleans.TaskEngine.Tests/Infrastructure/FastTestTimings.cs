using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>Reminder and membership timings short enough for tests to see reminders fire and dead silos declared in seconds.</summary>
public static class FastTestTimings
{
    public static IServiceCollection AddFastTestTimings(this IServiceCollection services)
    {
        services.Configure<ReminderOptions>(o =>
        {
            o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
            o.RefreshReminderListPeriod = TimeSpan.FromSeconds(2);
            o.ReminderLoadingWindow = TimeSpan.FromSeconds(2);
        });
        return services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
        });
    }
}
