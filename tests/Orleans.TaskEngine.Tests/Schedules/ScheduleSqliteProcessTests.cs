using System.Net;
using System.Net.Http.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

/// <summary>
/// Schedules in the default API host (a SQLite file under its working directory), a real process stopped and started
/// again on the same folder: a schedule is grain state in the configured store, and the keeper wakes it at start. On
/// the restarted host, <see cref="ScheduleScenarios"/> (once a second, pause and resume, refusals) as on every store.
/// </summary>
public sealed class ScheduleSqliteProcessTests : IDisposable
{
    private readonly TemporaryFolder _folder = new("taskengine-schedules-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_schedule_survives_a_restart_on_sqlite_and_fires_again_and_a_paused_one_stays_paused_then_the_every_store_scenario()
    {
        ScheduleResource firing, paused;
        ScheduleRunResource[] before;
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (first)
        {
            Assert.Contains(first.Output, l => l.Contains("SQLite file", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = baseUrl };
            firing = await http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo","payload":{"from":"schedule"}}}""");
            paused = await http.CreateAsync("""{"cron":"* * * * * *","task":{"type":"echo"}}""");
            await http.CommandAsync(paused.Id, "pause");
            before = await http.RunsUntilAsync(firing.Id, 3, TimeSpan.FromSeconds(30));
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        var restartedAt = DateTimeOffset.UtcNow;
        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = again };

            // Before anything reads the schedule (a read would activate it): the keeper woke it, and a fire time two
            // seconds from now submits its task, whose id is derived from the schedule and that fire time.
            await http.FiringSoonAsync(firing.Id);

            var listed = (await http.GetFromJsonAsync<ScheduleResource[]>("/api/schedules", TaskEngineJson.Options))!;
            Assert.Equal([firing.Id, paused.Id], listed.Select(s => s.Id));
            var survived = listed[0];
            Assert.Equal("* * * * * *", survived.Cron);
            Assert.Equal("schedule", survived.Task.Payload!.Value.GetProperty("from").GetString());
            Assert.False(survived.Paused);
            Assert.True(listed[1].Paused);

            // The runs of the first process are still there, and it fires again after the restart.
            var runs = await Eventually.Until(
                () => http.RunsAsync(firing.Id), r => r.Any(run => run.FireTime > restartedAt), TimeSpan.FromSeconds(30), "a firing after the restart");
            Assert.Subset(runs.Select(r => r.TaskId).ToHashSet(), before.Select(r => r.TaskId).ToHashSet());
            Assert.Equal(runs.Length, runs.Select(r => r.TaskId).Distinct().Count());
            var fresh = runs.First(r => r.FireTime > restartedAt);
            var task = await http.GetFromJsonAsync<TaskResource>($"/api/tasks/{fresh.TaskId}/wait?timeout=30", TaskEngineJson.Options);
            Assert.Equal(TaskEngine.Tasks.TaskState.Completed, task!.Status);
            Assert.Empty(await http.RunsAsync(paused.Id));

            using var deleted = await http.DeleteAsync($"/api/schedules/{firing.Id}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

            await ScheduleScenarios.EverySecondPauseResumeAndRefusalsAsync(http);
        }
    }

    [Fact]
    public async Task A_firing_missed_while_the_host_was_down_is_run_once_on_restart_under_runOnce_and_dropped_under_skip()
    {
        // Once a minute, at a second far enough ahead that the host is stopped by then, and not again before the test ends.
        var missed = WholeSecond(DateTimeOffset.UtcNow.AddSeconds(20));
        var cron = $"{missed.Second} * * * * *";
        ScheduleResource runOnce, skip;
        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            runOnce = await http.CreateAsync($$"""{"cron":"{{cron}}","task":{"type":"echo"},"missedPolicy":"runOnce"}""");
            skip = await http.CreateAsync($$"""{"cron":"{{cron}}","task":{"type":"echo"} }""");
            Assert.Equal(missed, runOnce.NextFireTimes[0]);
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(DateTimeOffset.UtcNow < missed, "the host took too long to stop: the firing was not missed");
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > missed.AddSeconds(1), TimeSpan.FromSeconds(30), "the fire time to pass");

        var (second, again) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: _folder.Path);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = again };
            var run = Assert.Single(await http.RunsUntilAsync(runOnce.Id, 1, TimeSpan.FromSeconds(30)));
            Assert.Equal(missed, run.FireTime);
            Assert.Equal(ScheduleIds.TaskIdFor(runOnce.Id, missed), run.TaskId);
            var task = await http.GetFromJsonAsync<TaskResource>($"/api/tasks/{run.TaskId}/wait?timeout=30", TaskEngineJson.Options);
            Assert.True(task!.CreatedAt > missed, $"created at {task.CreatedAt:O}, before the restart");

            // Both were woken by the same keeper pass; the skipping one has nothing for the missed fire time.
            Assert.Empty(await http.RunsAsync(skip.Id));
            using var notFired = await http.GetAsync($"/api/tasks/{ScheduleIds.TaskIdFor(skip.Id, missed)}");
            Assert.Equal(HttpStatusCode.NotFound, notFired.StatusCode);
        }
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
