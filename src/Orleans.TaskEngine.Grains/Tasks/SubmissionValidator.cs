using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Orleans.TaskEngine.Tasks;

/// <summary>Checks the fields of a submission; the same rules for the API and the grain.</summary>
public static class SubmissionValidator
{
    /// <summary>How far ahead a task may be put, by <c>delaySeconds</c> or by <c>runAt</c>.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(366);

    /// <returns>Why the submission is invalid, or null when it is fine.</returns>
    public static string? Validate(TaskSubmission submission) => Validate(submission, DateTimeOffset.UtcNow);

    /// <returns>Why the submission is invalid at <paramref name="now"/>, or null when it is fine.</returns>
    public static string? Validate(TaskSubmission submission, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (string.IsNullOrWhiteSpace(submission.Type))
        {
            return "type is required.";
        }

        if (string.IsNullOrWhiteSpace(submission.Queue) || submission.Queue.Length > TaskDefaults.MaxQueueNameLength
            || submission.Queue.Contains('/', StringComparison.Ordinal) || !IsPlainText(submission.Queue))
        {
            return $"queue must be 1–{TaskDefaults.MaxQueueNameLength} characters without '/', control or invisible formatting characters.";
        }

        if (!Enum.IsDefined(submission.Priority))
        {
            return "priority must be one of low, normal, high, urgent.";
        }

        if (submission.TimeoutSeconds is < TaskDefaults.MinTimeoutSeconds or > TaskDefaults.MaxTimeoutSeconds)
        {
            return $"timeoutSeconds must be between {TaskDefaults.MinTimeoutSeconds} and {TaskDefaults.MaxTimeoutSeconds}.";
        }

        if (submission.MaxAttempts is < TaskDefaults.MinMaxAttempts or > TaskDefaults.MaxMaxAttempts)
        {
            return $"maxAttempts must be between {TaskDefaults.MinMaxAttempts} and {TaskDefaults.MaxMaxAttempts}.";
        }

        // Written so that NaN fails too (every comparison with NaN is false).
        if (submission.DelaySeconds is { } delay && !(delay >= 0 && delay <= MaxDelay.TotalSeconds))
        {
            return "delaySeconds must be between 0 and one year.";
        }

        // The same bound as delaySeconds: a task put off for centuries is a mistake, and it would hold its state that long.
        if (submission.RunAt is { } runAt && runAt - now > MaxDelay)
        {
            return "runAt must be at most one year from now.";
        }

        if (submission.DependsOn.Count > TaskDefaults.MaxDependencies)
        {
            return $"dependsOn takes at most {TaskDefaults.MaxDependencies} task ids.";
        }

        for (var i = 0; i < submission.DependsOn.Count; i++)
        {
            // A dependency id outside the grammar names no task that can ever exist: refuse it rather than wait forever.
            if (EngineIds.Describe(submission.DependsOn[i], $"dependsOn[{i}]") is { } badDependency)
            {
                return badDependency;
            }
        }

        if (submission.Tags.Count > TaskDefaults.MaxTags)
        {
            return $"tags takes at most {TaskDefaults.MaxTags} tags.";
        }

        for (var i = 0; i < submission.Tags.Count; i++)
        {
            var tag = submission.Tags[i];
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > TaskDefaults.MaxTagLength || !IsPlainText(tag))
            {
                return $"tags[{i}] must be 1–{TaskDefaults.MaxTagLength} characters without control or invisible formatting characters.";
            }
        }

        if (submission.CallbackUrl is { } callback && DescribeCallbackUrl(callback) is { } badCallback)
        {
            return badCallback;
        }

        if (Encoding.UTF8.GetByteCount(submission.Payload) > TaskDefaults.MaxPayloadBytes)
        {
            return $"payload is larger than {TaskDefaults.MaxPayloadBytes} bytes.";
        }

        try
        {
            using var _ = JsonDocument.Parse(submission.Payload);
        }
        catch (JsonException)
        {
            return "payload must be valid JSON.";
        }

        return null;
    }

    /// <summary>The shape of a callback URL; whether its host may be called is the silo's to say (it is the one that calls).</summary>
    private static string? DescribeCallbackUrl(string url) =>
        url.Length > TaskDefaults.MaxCallbackUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0
            ? $"callbackUrl must be an absolute http or https URL of at most {TaskDefaults.MaxCallbackUrlLength} characters, without user info."
            : null;

    /// <summary>
    /// Text a person can read as it is: no control characters, no invisible formatting ones (zero-width spaces,
    /// right-to-left overrides, byte-order marks: two names that look the same would be different) and no half of a
    /// surrogate pair (it has no UTF-8 form, so it could not be stored or logged faithfully).
    /// </summary>
    public static bool IsPlainText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                return false;
            }
        }

        return true;
    }
}
