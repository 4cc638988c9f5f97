using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Completion callbacks (section <c>TaskEngine:Callbacks</c>): the signing secret and how deliveries are retried.</summary>
public sealed class CallbackOptions
{
    public const string Section = "TaskEngine:Callbacks";

    /// <summary>The HMAC-SHA256 key of <c>X-TaskEngine-Signature</c>. Without it, a submit with a <c>callbackUrl</c> is refused.</summary>
    public string? Secret { get; set; }

    /// <summary>Attempts per delivery (the first included) before it is given up.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait after the first failed attempt; doubled after each (with jitter), up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one POST may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
