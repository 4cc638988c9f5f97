using System.Net;
using System.Net.Http.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

[Collection(ScheduleCollection.Name)]
public sealed class ScheduleApiTests(ScheduleApiCluster fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Fact]
    public async Task A_schedule_every_second_fires_once_a_second_on_two_silos_with_no_doubles_and_no_gaps()
    {
        Assert.Equal(2, fixture.Cluster.GetActiveSilos().Count());
        var key = $"every-second-{Guid.NewGuid():N}";
        var schedule = await _http.CreateAsync($$"""{"cron":"* * * * * *","task":{"type":"record","payload":{"key":"{{key}}"} } }""");
        Assert.Equal(5, schedule.NextFireTimes.Count);
        Assert.All(schedule.NextFireTimes.Zip(schedule.NextFireTimes.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second - p.First));

        await _http.RunsUntilAsync(schedule.Id, 11, TimeSpan.FromSeconds(30));
        await _http.CommandAsync(schedule.Id, "pause");
        var runs = (await _http.RunsAsync(schedule.Id)).OrderBy(r => r.FireTime).ToArray();

        // One run per second, each second once, for (at least) 10 s.
        Assert.InRange(runs.Length, 11, 20);
        Assert.Equal(runs.Length, runs.Select(r => r.FireTime).Distinct().Count());
        Assert.All(runs.Zip(runs.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second.FireTime - p.First.FireTime));
        Assert.All(runs, r => Assert.Equal(ScheduleIds.TaskIdFor(schedule.Id, r.FireTime), r.TaskId));

        // Each task submitted on time and run exactly once, whichever silo's worker took it. "On time" has a generous
        // bound: CI saw a submit land 1.003 s after its fire time on the busy 2-core machine; what must hold exactly
        // (one firing per second, none doubled, none missed) is checked on the fire times above.
        foreach (var run in runs)
        {
            var task = await fixture.Engine.WaitAsync(run.TaskId, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Completed, task!.Status);
            Assert.Equal(1, task.Attempts);
            Assert.InRange(task.CreatedAt - run.FireTime, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }

        var started = TestProbe.StartsOf(key);
        Assert.Equal(runs.Select(r => r.TaskId).Order(StringComparer.Ordinal), started.Order(StringComparer.Ordinal));
        Assert.All((await _http.RunsAsync(schedule.Id)), r => Assert.Equal("completed", r.Status));
    }

    [Fact]
    public async Task Pause_stops_the_firings_and_resume_starts_them_again_from_now()
    {
        var schedule = await _http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo"}}""");
        await _http.RunsUntilAsync(schedule.Id, 1, TimeSpan.FromSeconds(10));

        var paused = await _http.CommandAsync(schedule.Id, "pause");
        Assert.True(paused.Paused);
        Assert.Empty(paused.NextFireTimes);
        var atPause = (await _http.RunsAsync(schedule.Id)).Length;

        // Nothing to wait for: two and a half fire times pass, and nothing may fire.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(atPause, (await _http.RunsAsync(schedule.Id)).Length);
        Assert.True((await _http.GetFromJsonAsync<ScheduleResource>($"/api/schedules/{schedule.Id}", TaskEngineJson.Options))!.Paused);

        var resumedAt = DateTimeOffset.UtcNow;
        var resumed = await _http.CommandAsync(schedule.Id, "resume");
        Assert.False(resumed.Paused);
        Assert.Equal(5, resumed.NextFireTimes.Count);
        var runs = await _http.RunsUntilAsync(schedule.Id, atPause + 2, TimeSpan.FromSeconds(10));

        // The fire times passed while paused were not missed firings: nothing is fired for them.
        Assert.All(runs.Take(runs.Length - atPause), r => Assert.True(r.FireTime > resumedAt.AddSeconds(-1), $"{r.FireTime:O} fired for the pause"));
        await _http.CommandAsync(schedule.Id, "pause");
    }

    [Fact]
    public async Task Bad_cron_unknown_time_zone_and_a_template_with_its_own_idempotency_key_are_400_and_create_nothing()
    {
        var before = await ListAsync();
        string[] bodies =
        [
            """{"cron":"61 * * * *","task":{"type":"echo"}}""",
            """{"cron":"every minute","task":{"type":"echo"}}""",
            """{"cron":"*/5 * * * *","timeZone":"Europe/Atlantis","task":{"type":"echo"}}""",
            """{"cron":"*/5 * * * *","task":{"type":"echo","idempotencyKey":"daily-report"}}""",
            """{"cron":"*/5 * * * *","task":{"type":"no-such-handler"}}""",
            """{"cron":"*/5 * * * *","task":{"type":"echo"},"overlap":"never"}""",
            """{"cron":"*/5 * * * *","task":{"type":"echo"}""",
            """[]""",
        ];
        foreach (var body in bodies)
        {
            using var response = await _http.PostAsync("/api/schedules", ScheduleHttp.Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await ListAsync());
    }

    [Fact]
    public async Task An_unknown_schedule_is_404_and_a_malformed_id_400_on_every_route()
    {
        var unknown = ScheduleIds.NewId();
        foreach (var (method, path) in Routes(unknown))
        {
            using var response = await _http.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
            Assert.Contains("No such schedule", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var (method, path) in Routes("bad%20id"))
        {
            using var response = await _http.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {response.StatusCode}");
        }

        Assert.DoesNotContain(await ListAsync(), id => id == unknown);
    }

    [Fact]
    public async Task Trigger_fires_now_runs_show_each_task_status_and_delete_removes_the_schedule_but_not_its_tasks()
    {
        var schedule = await _http.CreateAsync("""{"cron":"0 0 1 1 *","timeZone":"Europe/Paris","task":{"type":"echo","payload":{"n":3},"tags":["yearly"]},"missedPolicy":"runOnce","overlap":"skip"}""");
        Assert.Equal("Europe/Paris", schedule.TimeZone);
        Assert.Equal(ScheduleMissedPolicy.RunOnce, schedule.MissedPolicy);
        Assert.Equal(ScheduleOverlap.Skip, schedule.Overlap);
        Assert.Equal(3, schedule.Task.Payload!.Value.GetProperty("n").GetInt32());
        Assert.Contains(schedule.Id, await ListAsync());

        using var trigger = await _http.PostAsync($"/api/schedules/{schedule.Id}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var run = (await trigger.Content.ReadFromJsonAsync<ScheduleRunResource>(TaskEngineJson.Options))!;
        Assert.Equal(ScheduleIds.TaskIdFor(schedule.Id, run.FireTime), run.TaskId);

        var task = await fixture.Engine.WaitAsync(run.TaskId, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskState.Completed, task!.Status);
        Assert.Equal(["yearly"], task.Tags);
        var runs = await _http.RunsAsync(schedule.Id);
        Assert.Equal(run.TaskId, Assert.Single(runs).TaskId);
        Assert.Equal("completed", runs[0].Status);

        using var deleted = await _http.DeleteAsync($"/api/schedules/{schedule.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _http.GetAsync($"/api/schedules/{schedule.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(schedule.Id, await ListAsync());
        Assert.NotNull(await fixture.Engine.GetAsync(run.TaskId));
    }

    [Fact]
    public async Task Overlap_skip_does_not_fire_while_the_previous_run_is_unfinished()
    {
        var gate = $"overlap-{Guid.NewGuid():N}";
        var schedule = await _http.CreateAsync($$"""{"cron":"* * * * * *","task":{"type":"record","payload":{"key":"{{gate}}","gate":"{{gate}}"} },"overlap":"skip"}""");
        var first = Assert.Single(await _http.RunsUntilAsync(schedule.Id, 1, TimeSpan.FromSeconds(10)));
        await Eventually.Until(() => Task.FromResult(TestProbe.StartsOf(gate).Count), n => n == 1, TimeSpan.FromSeconds(10), "the first run started");

        // Its task holds the gate: the fire times that pass meanwhile are skipped.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(first.TaskId, Assert.Single(await _http.RunsAsync(schedule.Id)).TaskId);

        TestProbe.OpenGate(gate);
        await _http.RunsUntilAsync(schedule.Id, 2, TimeSpan.FromSeconds(10));
        await _http.CommandAsync(schedule.Id, "pause");
    }

    private async Task<string[]> ListAsync() =>
        [.. (await _http.GetFromJsonAsync<ScheduleResource[]>("/api/schedules", TaskEngineJson.Options))!.Select(s => s.Id)];

    private static (HttpMethod, string)[] Routes(string id) =>
    [
        (HttpMethod.Get, $"/api/schedules/{id}"),
        (HttpMethod.Post, $"/api/schedules/{id}/pause"),
        (HttpMethod.Post, $"/api/schedules/{id}/resume"),
        (HttpMethod.Post, $"/api/schedules/{id}/trigger"),
        (HttpMethod.Delete, $"/api/schedules/{id}"),
        (HttpMethod.Get, $"/api/schedules/{id}/runs"),
    ];
}
