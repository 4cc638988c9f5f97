namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>What a client asks to follow: tasks by id (history, then live) and queues (live from now on).</summary>
public sealed record WebSocketSubscription(IReadOnlyList<string> Tasks, IReadOnlyList<string> Queues)
{
    public static WebSocketSubscription None { get; } = new([], []);

    public bool IsEmpty => Tasks.Count == 0 && Queues.Count == 0;
}
