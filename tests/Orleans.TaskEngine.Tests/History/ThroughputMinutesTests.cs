using Orleans.TaskEngine.History;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>The dashboard's throughput without a store: which minutes are counted, which are kept, and the report.</summary>
public sealed class ThroughputMinutesTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    private static readonly long M0 = FinishedInMinute.MinuteOf(Start);

    [Fact]
    public void A_minute_is_the_whole_minute_an_instant_falls_in_before_the_epoch_too()
    {
        Assert.Equal(M0, FinishedInMinute.MinuteOf(Start.AddSeconds(59.999)));
        Assert.Equal(M0 + 1, FinishedInMinute.MinuteOf(Start.AddMinutes(1)));
        Assert.Equal(Start, FinishedInMinute.StartOf(M0));
        Assert.Equal(-1, FinishedInMinute.MinuteOf(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)));
    }

    [Fact]
    public void The_first_poll_counts_the_whole_window_and_reports_every_minute_oldest_first()
    {
        var minutes = new ThroughputMinutes();
        var now = Start.AddMinutes(4).AddSeconds(20);

        var from = minutes.CountFrom(now, FiveMinutes);
        var report = minutes.Report("5m", now, FiveMinutes, from, [new(M0 + 1, 2, 1, 0), new(M0 + 4, 1, 0, 1)]);

        Assert.Equal(Start, from);
        Assert.Equal(Start, report.From);
        Assert.Equal(now, report.To);
        Assert.Equal([0, 3, 0, 0, 2], report.PerMinute);
        Assert.Equal((3, 1, 1), (report.Completed, report.Failed, report.Cancelled));
    }

    [Fact]
    public void Settled_minutes_are_kept_so_the_next_poll_counts_only_the_minutes_since()
    {
        var minutes = new ThroughputMinutes();
        var now = Start.AddMinutes(4).AddSeconds(40);
        minutes.Report("5m", now, FiveMinutes, minutes.CountFrom(now, FiveMinutes), [new(M0 + 1, 2, 0, 0), new(M0 + 3, 5, 0, 0)]);

        // Minutes 0 to 3 ended more than 30 s ago (3 ended 40 s ago), so they are kept; the current one is not.
        var later = now.AddSeconds(2);
        var from = minutes.CountFrom(later, FiveMinutes);
        Assert.Equal(FinishedInMinute.StartOf(M0 + 4), from);
        var report = minutes.Report("5m", later, FiveMinutes, from, [new(M0 + 4, 1, 0, 0)]);
        Assert.Equal([0, 2, 0, 5, 1], report.PerMinute);
    }

    [Fact]
    public void A_minute_that_ended_less_than_the_settling_time_ago_is_counted_again()
    {
        var minutes = new ThroughputMinutes();
        var now = Start.AddMinutes(4).AddSeconds(10);
        minutes.Report("5m", now, FiveMinutes, minutes.CountFrom(now, FiveMinutes), [new(M0 + 3, 1, 0, 0)]);

        // Minute 3 ended 10 s ago: a finish of it may still be on its way to the store.
        var from = minutes.CountFrom(now.AddSeconds(1), FiveMinutes);
        Assert.Equal(FinishedInMinute.StartOf(M0 + 3), from);
        var report = minutes.Report("5m", now.AddSeconds(1), FiveMinutes, from, [new(M0 + 3, 2, 0, 0)]);
        Assert.Equal(2, report.PerMinute[3]);
    }

    [Fact]
    public void Minutes_kept_for_one_window_serve_another_and_a_new_minute_shifts_the_window()
    {
        var minutes = new ThroughputMinutes();
        var now = Start.AddMinutes(14).AddSeconds(45);
        var fifteen = TimeSpan.FromMinutes(15);
        minutes.Report("15m", now, fifteen, minutes.CountFrom(now, fifteen), [new(M0, 7, 0, 0), new(M0 + 12, 1, 0, 0)]);

        var next = Start.AddMinutes(15).AddSeconds(50);
        var from = minutes.CountFrom(next, FiveMinutes);
        Assert.Equal(FinishedInMinute.StartOf(M0 + 14), from);
        var report = minutes.Report("5m", next, FiveMinutes, from, []);
        Assert.Equal([0, 1, 0, 0, 0], report.PerMinute);
        Assert.Equal(FinishedInMinute.StartOf(M0 + 11), report.From);
    }
}
