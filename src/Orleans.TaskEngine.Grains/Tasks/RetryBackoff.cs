namespace Orleans.TaskEngine.Tasks;

/// <summary>Exponential backoff with jitter, bounded: base·2^(n-1), capped, then scaled by a random 50–100 %.</summary>
public static class RetryBackoff
{
    public static TimeSpan Compute(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var raw = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, maxDelay.TotalMilliseconds);

        // Half fixed, half random: retries of many tasks that failed together spread out, yet none retries at once.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random.NextDouble() * 0.5)));
    }
}
