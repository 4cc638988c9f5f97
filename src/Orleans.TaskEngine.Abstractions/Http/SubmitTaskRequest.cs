using System.ComponentModel;
using System.Text.Json;

namespace Orleans.TaskEngine.Http;

/// <summary>The body of <c>POST /api/tasks</c>. Only <see cref="Type"/> is required.</summary>
public sealed record SubmitTaskRequest
{
    public string? Type { get; init; }
    public JsonElement? Payload { get; init; }
    public string? Queue { get; init; }

    /// <summary><c>low</c>, <c>normal</c> (default; <c>medium</c> is another name for it), <c>high</c> or <c>urgent</c>.</summary>
    [Description("low, normal (the default; medium is accepted as another name for it, and the task says normal), high or urgent.")]
    public string? Priority { get; init; }

    public int? TimeoutSeconds { get; init; }
    public int? MaxAttempts { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public double? DelaySeconds { get; init; }
    public IReadOnlyList<string>? DependsOn { get; init; }

    /// <summary>Same as the <c>Idempotency-Key</c> header; the header wins.</summary>
    public string? IdempotencyKey { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>An http(s) URL the finished task is POSTed to (signed; host on <c>TaskEngine:Http:AllowedHosts</c>).</summary>
    [Description("An http or https URL that gets the finished task (completed, failed for good or cancelled) as a signed JSON POST; its host must be on TaskEngine:Http:AllowedHosts and TaskEngine:Callbacks:Secret must be set.")]
    public string? CallbackUrl { get; init; }
}
