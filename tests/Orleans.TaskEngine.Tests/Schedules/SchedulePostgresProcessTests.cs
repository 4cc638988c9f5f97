using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

/// <summary>
/// Schedules on the durable cluster: two silo processes and the API host in Client mode on PostgreSQL, every process
/// stopped and started again. The schedule's state is grain state in PostgreSQL; the keeper wakes it at start. Then
/// <see cref="ScheduleScenarios"/> (once a second, pause and resume, refusals) as on every store.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SchedulePostgresProcessTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_schedule_every_second_fires_once_a_second_on_two_silo_processes_and_again_after_a_full_restart_then_the_every_store_scenario()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, $"sched_{Guid.NewGuid():N}"[..20], silos: 2);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var http = cluster.ApiHttp;
            var schedule = await http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo"}}""");
            var before = (await http.RunsUntilAsync(schedule.Id, 5, TimeSpan.FromSeconds(30))).OrderBy(r => r.FireTime).ToArray();
            Assert.All(before.Zip(before.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second.FireTime - p.First.FireTime));

            await cluster.StopAllAsync();
            await cluster.StartAllAsync(silos: 2);

            // Before anything reads the schedule: the keeper woke it, and a fire time two seconds from now submits its task.
            var soon = await http.FiringSoonAsync(schedule.Id);

            var runs = (await http.RunsUntilAsync(schedule.Id, before.Length + 3, TimeSpan.FromSeconds(30))).OrderBy(r => r.FireTime).ToArray();
            Assert.Subset(runs.Select(r => r.TaskId).ToHashSet(), before.Select(r => r.TaskId).ToHashSet());
            Assert.Equal(runs.Length, runs.Select(r => r.FireTime).Distinct().Count());
            var after = runs.Where(r => r.FireTime >= soon).ToArray();
            Assert.All(after.Zip(after.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second.FireTime - p.First.FireTime));
            await http.CommandAsync(schedule.Id, "pause");

            await ScheduleScenarios.EverySecondPauseResumeAndRefusalsAsync(http);
        });
    }
}
