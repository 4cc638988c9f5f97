using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>Turns a REST submit into a <see cref="TaskSubmission"/>, or says precisely what is wrong with it.</summary>
public static class SubmitRequestMapper
{
    /// <summary>Accepted on input as another name for <see cref="TaskPriority.Normal"/>; the task says <c>normal</c>.</summary>
    public const string MediumPriority = "medium";

    public sealed record Outcome(TaskSubmission? Submission, int Status, string? Error);

    /// <param name="createdBy">The caller's identity from its API key (or <c>anonymous</c>); never taken from the body.</param>
    public static Outcome Map(SubmitTaskRequest? request, string? idempotencyKey, string createdBy)
    {
        if (request is null)
        {
            return Fail("The body must be a JSON object describing the task.");
        }

        if (string.IsNullOrWhiteSpace(request.Type))
        {
            return Fail("type is required.");
        }

        var priority = TaskPriority.Normal;
        if (request.Priority is not null && !TryParsePriority(request.Priority, out priority))
        {
            return Fail($"priority '{request.Priority}' is not one of low, normal (or medium), high, urgent.");
        }

        var key = idempotencyKey ?? request.IdempotencyKey;
        if (key is not null && IdempotencyKeys.Describe(key, idempotencyKey is null ? "idempotencyKey" : IdempotencyKeys.Header) is { } badKey)
        {
            return Fail(badKey);
        }

        var payload = request.Payload is { } element ? element.GetRawText() : "null";
        if (Encoding.UTF8.GetByteCount(payload) > TaskDefaults.MaxPayloadBytes)
        {
            return new Outcome(null, StatusCodes.Status413PayloadTooLarge, $"payload is larger than {TaskDefaults.MaxPayloadBytes} bytes (1 MiB).");
        }

        var submission = new TaskSubmission
        {
            Type = request.Type,
            Payload = payload,
            Queue = request.Queue ?? TaskDefaults.Queue,
            Priority = priority,
            TimeoutSeconds = request.TimeoutSeconds ?? TaskDefaults.TimeoutSeconds,
            MaxAttempts = request.MaxAttempts ?? TaskDefaults.MaxAttempts,
            RunAt = request.RunAt,
            DelaySeconds = request.DelaySeconds,
            DependsOn = request.DependsOn ?? [],
            Tags = request.Tags ?? [],
            IdempotencyKey = key,
            CreatedBy = createdBy,
            CallbackUrl = request.CallbackUrl,
        };

        return SubmissionValidator.Validate(submission) is { } invalid
            ? Fail(invalid)
            : new Outcome(submission, StatusCodes.Status200OK, null);
    }

    /// <summary>Whether two submissions with the same idempotency key (in one batch) ask for the same task; as <see cref="SameTask"/>.</summary>
    public static bool SameRequest(TaskSubmission first, TaskSubmission repeat) =>
        first.Type == repeat.Type
        && first.Queue == repeat.Queue
        && first.Priority == repeat.Priority
        && first.TimeoutSeconds == repeat.TimeoutSeconds
        && first.MaxAttempts == repeat.MaxAttempts
        && first.Tags.SequenceEqual(repeat.Tags)
        && first.DependsOn.SequenceEqual(repeat.DependsOn)
        && first.CallbackUrl == repeat.CallbackUrl
        && SameJson(first.Payload, repeat.Payload);

    /// <summary>Whether a repeat with the same idempotency key asks for the same task.</summary>
    public static bool SameTask(TaskSnapshot existing, TaskSubmission repeat) =>
        SameRequest(
            new TaskSubmission
            {
                Type = existing.Type,
                Queue = existing.Queue,
                Priority = existing.Priority,
                TimeoutSeconds = existing.TimeoutSeconds,
                MaxAttempts = existing.MaxAttempts,
                Tags = existing.Tags,
                DependsOn = existing.DependsOn,
                Payload = existing.Payload,
                CallbackUrl = existing.CallbackUrl,
            },
            repeat);

    private static bool SameJson(string a, string b)
    {
        using var left = JsonDocument.Parse(a);
        using var right = JsonDocument.Parse(b);
        try
        {
            return JsonElement.DeepEquals(left.RootElement, right.RootElement);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // Valid JSON that DeepEquals cannot compare by value: a number whose exponent no Int32 holds, a string
            // escape that is half a surrogate pair. The same text is the same body; anything else counts as different.
            return string.Equals(a, b, StringComparison.Ordinal);
        }
    }

    private static bool TryParsePriority(string text, out TaskPriority priority)
    {
        // Many clients say low/medium/high: medium is read as normal, so what is stored and answered keeps one name.
        if (string.Equals(text, MediumPriority, StringComparison.OrdinalIgnoreCase))
        {
            priority = TaskPriority.Normal;
            return true;
        }

        return Enum.TryParse(text, ignoreCase: true, out priority) && Enum.IsDefined(priority) && !int.TryParse(text, out _);
    }

    private static Outcome Fail(string error) => new(null, StatusCodes.Status400BadRequest, error);
}
