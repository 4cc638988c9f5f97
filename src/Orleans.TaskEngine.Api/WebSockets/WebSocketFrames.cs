using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>The JSON text frames the server sends: events, subscription acknowledgements and errors.</summary>
public static class WebSocketFrames
{
    /// <summary>
    /// The SSE stream's event object as it is (same serializer, same names) plus <c>taskId</c> and <c>status</c>; the
    /// status is the event's own (the task's status after it), so the field the SSE object has keeps its meaning.
    /// </summary>
    public static string Event(string taskId, TaskEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var frame = JsonSerializer.SerializeToNode(e, TaskEngineJson.Options)!.AsObject();
        frame["taskId"] = taskId;
        frame["status"] = JsonSerializer.SerializeToNode(e.Status, TaskEngineJson.Options);
        return frame.ToJsonString(TaskEngineJson.Options);
    }

    /// <summary><c>{"subscribed": {"tasks": [..], "queues": [..]}}</c>: these are followed from now on.</summary>
    public static string Subscribed(WebSocketSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return JsonSerializer.Serialize(new { subscribed = new { tasks = subscription.Tasks, queues = subscription.Queues } }, TaskEngineJson.Options);
    }

    /// <summary><c>{"error": "...", "taskId"?: "...", "queue"?: "..."}</c>: what was refused, and for which task or queue.</summary>
    public static string Error(string message, string? taskId = null, string? queue = null) =>
        JsonSerializer.Serialize(new { error = message, taskId, queue }, TaskEngineJson.Options);
}
