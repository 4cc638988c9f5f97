using Orleans.Runtime;

namespace Orleans.TaskEngine.Tests.Reminders;

/// <summary>
/// What every store's reminder table must do for Orleans' reminder service: rows by grain, by ring range (wrapping),
/// upserts that change the ETag, removes only with the current ETag, and nothing of another service. A store adds one
/// subclass.
/// </summary>
public abstract class ReminderTableContract
{
    private static readonly DateTime Start = new(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    protected abstract IReminderTable CreateTable(string serviceId);

    private IReminderTable NewTable() => CreateTable("reminders-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task An_upserted_reminder_reads_back_by_grain_and_name_and_a_second_upsert_changes_its_etag()
    {
        var table = NewTable();
        var grain = GrainId.Create("task", "r1");
        var first = await table.UpsertRow(Entry(grain, "watchdog", TimeSpan.FromMinutes(1)));
        var second = await table.UpsertRow(Entry(grain, "watchdog", TimeSpan.FromMinutes(2)));

        Assert.NotNull(first);
        Assert.NotEqual(first, second);
        var row = await table.ReadRow(grain, "watchdog");
        Assert.NotNull(row);
        Assert.Equal((grain, "watchdog", Start, TimeSpan.FromMinutes(2), second), (row.GrainId, row.ReminderName, row.StartAt, row.Period, row.ETag));
        Assert.Single((await table.ReadRows(grain)).Reminders);
        Assert.Null(await table.ReadRow(grain, "other"));
    }

    [Fact]
    public async Task A_remove_with_a_stale_etag_changes_nothing_and_one_with_the_current_etag_removes_it()
    {
        var table = NewTable();
        var grain = GrainId.Create("task", "r2");
        var stale = await table.UpsertRow(Entry(grain, "watchdog", TimeSpan.FromMinutes(1)));
        var current = await table.UpsertRow(Entry(grain, "watchdog", TimeSpan.FromMinutes(1)));

        Assert.False(await table.RemoveRow(grain, "watchdog", stale!));
        Assert.NotNull(await table.ReadRow(grain, "watchdog"));
        Assert.True(await table.RemoveRow(grain, "watchdog", current!));
        Assert.Null(await table.ReadRow(grain, "watchdog"));
        Assert.False(await table.RemoveRow(grain, "watchdog", current!));
    }

    [Fact]
    public async Task A_ring_range_holds_the_grains_whose_hash_is_in_it_and_a_range_past_the_top_wraps_around()
    {
        var table = NewTable();
        var grains = Enumerable.Range(0, 200).Select(i => GrainId.Create("task", $"ring-{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "watchdog", TimeSpan.FromMinutes(1)));
        }

        const uint low = 0x4000_0000, high = 0xC000_0000;
        var inside = (await table.ReadRows(low, high)).Reminders.Select(r => r.GrainId).ToHashSet();
        var wrapped = (await table.ReadRows(high, low)).Reminders.Select(r => r.GrainId).ToHashSet();

        Assert.Equal(grains.Where(g => g.GetUniformHashCode() > low && g.GetUniformHashCode() <= high).ToHashSet(), inside);
        Assert.Equal(grains.Where(g => g.GetUniformHashCode() > high || g.GetUniformHashCode() <= low).ToHashSet(), wrapped);
        Assert.Equal(200, inside.Count + wrapped.Count);
        Assert.Empty((await CreateTable("reminders-other-" + Guid.NewGuid().ToString("N")[..8]).ReadRows(grains[0])).Reminders);
    }

    private static ReminderEntry Entry(GrainId grain, string name, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = name, StartAt = Start, Period = period };
}
