using System.Globalization;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>
/// Reads and checks subscriptions: the upgrade's query string (<c>?task=ID</c>, repeatable, <c>?queue=NAME</c>) and
/// the text frame <c>{"subscribe": {"tasks": [..], "queues": [..]}}</c>. Either all of it is valid or none is taken.
/// </summary>
public static class WebSocketSubscriptionParser
{
    public const string TaskParameter = "task";
    public const string QueueParameter = "queue";

    public static (WebSocketSubscription? Subscription, string? Error) FromQuery(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var tasks = query.TryGetValue(TaskParameter, out var t) ? t.Select(v => v ?? "").ToList() : [];
        var queues = query.TryGetValue(QueueParameter, out var q) ? q.Select(v => v ?? "").ToList() : [];
        return Checked(tasks, queues, TaskParameter, QueueParameter);
    }

    public static (WebSocketSubscription? Subscription, string? Error) FromFrame(string text)
    {
        const string Shape = "Send {\"subscribe\": {\"tasks\": [\"ID\", ...], \"queues\": [\"NAME\", ...]}}.";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return (null, $"The frame is not JSON. {Shape}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != 1
                || !root.TryGetProperty("subscribe", out var subscribe) || subscribe.ValueKind != JsonValueKind.Object)
            {
                return (null, $"Unknown frame. {Shape}");
            }

            var tasks = new List<string>();
            var queues = new List<string>();
            foreach (var property in subscribe.EnumerateObject())
            {
                var target = property.Name switch { "tasks" => tasks, "queues" => queues, _ => null };
                if (target is null)
                {
                    return (null, $"subscribe has no field '{Shown(property.Name)}'. {Shape}");
                }

                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                {
                    return (null, $"subscribe.{property.Name} must be an array of strings.");
                }

                target.AddRange(property.Value.EnumerateArray().Select(v => v.GetString()!));
            }

            return Checked(tasks, queues, "subscribe.tasks", "subscribe.queues");
        }
    }

    /// <summary>Why <paramref name="queue"/> cannot name a queue (the rule of a submit's queue), or null.</summary>
    public static string? DescribeQueue(string queue, string what)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var plain = queue.All(c => !char.IsControl(c) && char.GetUnicodeCategory(c) != UnicodeCategory.Format);
        return queue.Trim().Length > 0 && queue.Length <= TaskDefaults.MaxQueueNameLength && !queue.Contains('/', StringComparison.Ordinal) && plain
            ? null
            : $"{what} must be 1–{TaskDefaults.MaxQueueNameLength} characters without '/', control or invisible formatting characters.";
    }

    private static (WebSocketSubscription?, string?) Checked(List<string> tasks, List<string> queues, string tasksName, string queuesName)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            if (EngineIds.Describe(tasks[i], $"{tasksName}[{i}]") is { } reason)
            {
                return (null, reason);
            }
        }

        for (var i = 0; i < queues.Count; i++)
        {
            if (DescribeQueue(queues[i], $"{queuesName}[{i}]") is { } reason)
            {
                return (null, reason);
            }
        }

        return (new WebSocketSubscription([.. tasks.Distinct(StringComparer.Ordinal)], [.. queues.Distinct(StringComparer.Ordinal)]), null);
    }

    private static string Shown(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
