using Cronos;

namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// A schedule's cron read in its time zone: when it fires. Parsed by Cronos, which gets daylight-saving gaps and
/// overlaps right (a time skipped by the clock fires at the gap's end; a repeated hour fires once). Times in and out are UTC.
/// </summary>
public sealed class ScheduleClock
{
    /// <summary>The time zone a schedule that names none is read in.</summary>
    public const string DefaultTimeZone = "UTC";

    private readonly CronExpression _cron;
    private readonly TimeZoneInfo _zone;

    private ScheduleClock(CronExpression cron, TimeZoneInfo zone)
    {
        _cron = cron;
        _zone = zone;
    }

    /// <summary>
    /// The clock of <paramref name="cron"/> (5 fields, or 6 with seconds first) in <paramref name="timeZone"/>
    /// (an IANA id), or null with <paramref name="error"/> saying what is wrong in words a caller can act on.
    /// </summary>
    public static ScheduleClock? TryCreate(string? cron, string? timeZone, out string? error)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            error = "cron is required: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first.";
            return null;
        }

        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = $"cron '{cron}' has {fields} fields; it takes 5 (minute hour day-of-month month day-of-week), or 6 with seconds first.";
            return null;
        }

        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = $"cron '{cron}' is not valid: {ex.Message}";
            return null;
        }

        var zoneId = timeZone ?? DefaultTimeZone;
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            error = $"timeZone '{zoneId}' is not a time zone this cluster knows; use an IANA id such as Europe/Paris or UTC.";
            return null;
        }

        error = null;
        return new ScheduleClock(expression, zone);
    }

    /// <summary>The first fire time strictly after <paramref name="after"/>; null if the cron never fires again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _cron.GetNextOccurrence(after, _zone)?.ToUniversalTime();

    /// <summary>Up to <paramref name="count"/> fire times strictly after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> NextTimes(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        while (times.Count < count && Next(after) is { } next)
        {
            times.Add(next);
            after = next;
        }

        return times;
    }

    /// <summary>
    /// The fire times in (<paramref name="after"/>, <paramref name="until"/>]: how many, and the last
    /// <paramref name="keep"/> of them in order (a schedule down for a day at one firing a second has 86,400).
    /// </summary>
    public (int Count, IReadOnlyList<DateTimeOffset> Latest) Due(DateTimeOffset after, DateTimeOffset until, int keep)
    {
        var latest = new Queue<DateTimeOffset>(keep);
        var count = 0;
        if (until <= after)
        {
            return (0, []);
        }

        foreach (var time in _cron.GetOccurrences(after, until, _zone, fromInclusive: false, toInclusive: true))
        {
            count++;
            if (latest.Count == keep)
            {
                latest.Dequeue();
            }

            latest.Enqueue(time.ToUniversalTime());
        }

        return (count, [.. latest]);
    }
}
