namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// The system clock, plus an offset a test moves forward. Only the wall-clock reading is shifted: timers, delays and
/// timestamps stay real, so a silo that uses it keeps running (a fake whose timers wait for the test would stall it).
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
