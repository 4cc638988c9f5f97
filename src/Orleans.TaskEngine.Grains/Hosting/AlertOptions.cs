using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Alerts (section <c>TaskEngine:Alerts</c>): the rules, how often they are evaluated, and where transitions are sent.</summary>
public sealed class AlertOptions
{
    public const string Section = "TaskEngine:Alerts";

    /// <summary>The rules by name.</summary>
    public Dictionary<string, AlertRuleOptions> Rules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the cluster evaluates the rules.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>URLs (http or https) that get a JSON POST per transition. Configured by the operator, so not limited to <c>TaskEngine:Http:AllowedHosts</c>.</summary>
    public List<string> Webhooks { get; set; } = [];

    /// <summary>The HMAC-SHA256 key of <c>X-TaskEngine-Signature</c>; required when there are webhooks.</summary>
    public string? Secret { get; set; }

    /// <summary>Attempts per POST (the first included) before it is given up with an error in the log; a restart of the cluster starts the count again.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after a failed attempt; doubled after each, up to <see cref="RetryMaxDelay"/>, then scaled by a random 50–100 %.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one POST may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
