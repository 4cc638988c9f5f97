namespace Orleans.TaskEngine.History;

/// <summary>
/// How many task incarnations finished in one wall-clock minute (<paramref name="Minute"/>: whole minutes since the
/// Unix epoch, UTC), by outcome.
/// </summary>
public sealed record FinishedInMinute(long Minute, int Completed, int Failed, int Cancelled)
{
    public int Total => Completed + Failed + Cancelled;

    /// <summary>The minute <paramref name="at"/> falls in.</summary>
    public static long MinuteOf(DateTimeOffset at) => Math.DivRem(at.ToUnixTimeMilliseconds(), 60_000L, out var rest) - (rest < 0 ? 1 : 0);

    public static DateTimeOffset StartOf(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);
}
