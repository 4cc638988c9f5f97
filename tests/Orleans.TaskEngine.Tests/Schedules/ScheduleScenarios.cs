using System.Net;
using System.Net.Http.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

/// <summary>
/// What every store must show of schedules, in one pass on any host: once a second for 10 s with no doubles and no
/// gaps, pause and resume, bad input refused with nothing created. <see cref="ScheduleApiTests"/> checks each part on
/// the in-memory two-silo cluster; the SQLite host process and the PostgreSQL cluster run this.
/// </summary>
public static class ScheduleScenarios
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    public static async Task EverySecondPauseResumeAndRefusalsAsync(HttpClient http)
    {
        var schedule = await http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo"}}""");
        var runs = (await http.RunsUntilAsync(schedule.Id, 11, Patience)).OrderBy(r => r.FireTime).ToArray();
        Assert.Equal(runs.Length, runs.Select(r => r.FireTime).Distinct().Count());
        Assert.All(runs.Zip(runs.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second.FireTime - p.First.FireTime));
        Assert.All(runs, r => Assert.Equal(ScheduleIds.TaskIdFor(schedule.Id, r.FireTime), r.TaskId));

        Assert.True((await http.CommandAsync(schedule.Id, "pause")).Paused);
        var pausedAt = DateTimeOffset.UtcNow;
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > pausedAt.AddSeconds(3), Patience, "three fire times to pass while paused");
        var resumedAt = DateTimeOffset.UtcNow;
        Assert.False((await http.CommandAsync(schedule.Id, "resume")).Paused);
        var after = await Eventually.Until(() => http.RunsAsync(schedule.Id), r => r.Count(x => x.FireTime > resumedAt) >= 2, Patience, "two firings after the resume");

        // Nothing fired while paused (a margin of a second for a firing under way when the pause came), nothing doubled.
        Assert.DoesNotContain(after, r => r.FireTime > pausedAt.AddSeconds(1) && r.FireTime < resumedAt);
        Assert.Equal(after.Length, after.Select(r => r.FireTime).Distinct().Count());
        await http.CommandAsync(schedule.Id, "pause");

        var before = await IdsAsync(http);
        foreach (var body in new[]
        {
            """{"cron":"61 * * * *","task":{"type":"echo"}}""",
            """{"cron":"*/5 * * * *","timeZone":"Europe/Atlantis","task":{"type":"echo"}}""",
        })
        {
            using var refused = await http.PostAsync("/api/schedules", ScheduleHttp.Json(body));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body}: {refused.StatusCode}");
        }

        using var unknown = await http.GetAsync($"/api/schedules/{ScheduleIds.NewId()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(before, await IdsAsync(http));
    }

    private static async Task<string[]> IdsAsync(HttpClient http) =>
        [.. (await http.GetFromJsonAsync<ScheduleResource[]>("/api/schedules", TaskEngineJson.Options))!.Select(s => s.Id).Order(StringComparer.Ordinal)];
}
