namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// Which fire times a schedule fires now, decided from its stored last fire time, the time now and its missed policy;
/// no Orleans, no clock of its own. Firings are <em>missed</em> when they fell due while no activation was firing them
/// (the grain was down: a dead silo, a stopped cluster): at an activation's first tick, every due firing is missed;
/// at a later tick, the due firings are on time (a tick a little late fires what it owes) unless there are more than
/// <see cref="MaxOnTime"/>, when the grain clearly was not firing and all of them count as missed.
/// </summary>
/// <param name="Fire">The fire times to fire now, oldest first.</param>
/// <param name="Missed">How many due firings were missed (and skipped, or folded into one run).</param>
/// <param name="Last">The latest due fire time, handled now: the new "last fired"; null when nothing was due.</param>
public sealed record FiringPlan(IReadOnlyList<DateTimeOffset> Fire, int Missed, DateTimeOffset? Last)
{
    /// <summary>The most firings a late tick fires one by one.</summary>
    public const int MaxOnTime = 10;

    public static FiringPlan Decide(ScheduleClock clock, DateTimeOffset lastFired, DateTimeOffset now, ScheduleMissedPolicy policy, bool firstTick)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var (count, latest) = clock.Due(lastFired, now, MaxOnTime);
        if (count == 0)
        {
            return new FiringPlan([], 0, null);
        }

        var last = latest[^1];
        if (!firstTick && count <= MaxOnTime)
        {
            return new FiringPlan(latest, 0, last);
        }

        return policy == ScheduleMissedPolicy.RunOnce
            ? new FiringPlan([last], count - 1, last)
            : new FiringPlan([], count, last);
    }
}
