using Orleans.TaskEngine.Schedules;

namespace Orleans.TaskEngine.Tests.Schedules;

/// <summary>The schedule's rules without a cluster: cron and time zone, next fire times, the missed-firing plan, task ids.</summary>
public sealed class ScheduleClockTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Five_fields_fire_on_the_minute_and_six_on_the_second()
    {
        var minutes = Clock("*/5 * * * *");
        Assert.Equal([Noon.AddMinutes(5), Noon.AddMinutes(10), Noon.AddMinutes(15)], minutes.NextTimes(Noon, 3));

        var seconds = Clock("*/2 * * * * *");
        Assert.Equal([Noon.AddSeconds(2), Noon.AddSeconds(4)], seconds.NextTimes(Noon.AddSeconds(1), 2));
    }

    [Fact]
    public void A_cron_is_read_in_its_time_zone_daylight_saving_included()
    {
        // 09:00 in Paris: 08:00 UTC in winter (CET), 07:00 UTC after the switch to CEST on 29 March 2026.
        var paris = Clock("0 9 * * *", "Europe/Paris");
        var beforeSwitch = new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero)],
            paris.NextTimes(beforeSwitch, 2));
        Assert.All(paris.NextTimes(beforeSwitch, 2), t => Assert.Equal(TimeSpan.Zero, t.Offset));
    }

    [Theory]
    [InlineData(null, "UTC", "cron is required")]
    [InlineData("* * *", "UTC", "has 3 fields")]
    [InlineData("61 * * * *", "UTC", "is not valid")]
    [InlineData("*/5 * * * *", "Mars/Olympus_Mons", "timeZone 'Mars/Olympus_Mons' is not a time zone")]
    public void A_bad_cron_or_an_unknown_time_zone_is_refused_with_the_reason(string? cron, string zone, string reason)
    {
        Assert.Null(ScheduleClock.TryCreate(cron, zone, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Due_counts_every_fire_time_in_the_window_and_keeps_the_latest()
    {
        var (count, latest) = Clock("* * * * * *").Due(Noon, Noon.AddHours(1), keep: 3);

        Assert.Equal(3600, count);
        Assert.Equal([Noon.AddSeconds(3598), Noon.AddSeconds(3599), Noon.AddSeconds(3600)], latest);
    }

    [Fact]
    public void A_tick_on_time_fires_what_fell_due_since_the_last_fire_time()
    {
        var clock = Clock("* * * * * *");

        var onTime = FiringPlan.Decide(clock, Noon, Noon.AddSeconds(1.02), ScheduleMissedPolicy.Skip, firstTick: false);
        Assert.Equal(new[] { Noon.AddSeconds(1) }, onTime.Fire);
        Assert.Equal(0, onTime.Missed);
        Assert.Equal(Noon.AddSeconds(1), onTime.Last);

        // A little late (a slow store): it owes two and fires both.
        var late = FiringPlan.Decide(clock, Noon, Noon.AddSeconds(2.5), ScheduleMissedPolicy.Skip, firstTick: false);
        Assert.Equal(new[] { Noon.AddSeconds(1), Noon.AddSeconds(2) }, late.Fire);

        var early = FiringPlan.Decide(clock, Noon, Noon.AddSeconds(0.99), ScheduleMissedPolicy.Skip, firstTick: false);
        Assert.Empty(early.Fire);
        Assert.Null(early.Last);
    }

    [Fact]
    public void After_the_grain_was_down_skip_drops_the_missed_firings_and_run_once_fires_the_latest_once()
    {
        var clock = Clock("*/5 * * * *");
        var lastFired = Noon;
        var back = Noon.AddMinutes(32); // 12:05 … 12:30 fell due while down: six firings.

        var skip = FiringPlan.Decide(clock, lastFired, back, ScheduleMissedPolicy.Skip, firstTick: true);
        Assert.Empty(skip.Fire);
        Assert.Equal(6, skip.Missed);
        Assert.Equal(Noon.AddMinutes(30), skip.Last);

        var runOnce = FiringPlan.Decide(clock, lastFired, back, ScheduleMissedPolicy.RunOnce, firstTick: true);
        Assert.Equal(new[] { Noon.AddMinutes(30) }, runOnce.Fire);
        Assert.Equal(5, runOnce.Missed);
        Assert.Equal(Noon.AddMinutes(30), runOnce.Last);

        // Back before anything fell due: nothing missed, nothing to fire; the next fire time is still 12:05.
        var nothing = FiringPlan.Decide(clock, lastFired, Noon.AddMinutes(4), ScheduleMissedPolicy.RunOnce, firstTick: true);
        Assert.Empty(nothing.Fire);
        Assert.Equal(0, nothing.Missed);
        Assert.Equal(Noon.AddMinutes(5), clock.Next(Noon.AddMinutes(4)));
    }

    [Fact]
    public void A_tick_that_owes_more_than_it_may_fire_one_by_one_applies_the_missed_policy()
    {
        var clock = Clock("* * * * * *");
        var now = Noon.AddSeconds(FiringPlan.MaxOnTime + 5);

        Assert.Empty(FiringPlan.Decide(clock, Noon, now, ScheduleMissedPolicy.Skip, firstTick: false).Fire);
        Assert.Equal(new[] { now }, FiringPlan.Decide(clock, Noon, now, ScheduleMissedPolicy.RunOnce, firstTick: false).Fire);
    }

    [Fact]
    public void A_firing_task_id_is_the_schedule_and_the_fire_time_and_a_valid_engine_id()
    {
        var id = ScheduleIds.NewId();
        Assert.Matches("^sch-[0-9a-f]{32}$", id);

        var taskId = ScheduleIds.TaskIdFor(id, Noon);
        Assert.Equal(taskId, ScheduleIds.TaskIdFor(id, Noon.ToOffset(TimeSpan.FromHours(2))));
        Assert.NotEqual(taskId, ScheduleIds.TaskIdFor(id, Noon.AddSeconds(1)));
        Assert.True(TaskEngine.Tasks.EngineIds.IsValid(taskId), taskId);
    }

    private static ScheduleClock Clock(string cron, string zone = "UTC") =>
        ScheduleClock.TryCreate(cron, zone, out var error) ?? throw new InvalidOperationException(error);
}
