namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>Limits of <c>GET /api/ws</c> (section <c>TaskEngine:Api:WebSocket</c>).</summary>
public sealed class WebSocketOptions
{
    public const string Section = "TaskEngine:Api:WebSocket";

    /// <summary>Frames waiting to be sent on one connection; a client that lets more pile up is closed.</summary>
    public int OutboxCapacity { get; set; } = 1_000;

    /// <summary>Tasks one connection may subscribe to by id.</summary>
    public int MaxTasks { get; set; } = 1_000;

    /// <summary>Queues one connection may subscribe to.</summary>
    public int MaxQueues { get; set; } = 32;

    /// <summary>The largest subscribe frame a client may send, in bytes.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>How often a queue subscription is renewed with the queue's scheduler (observers are not durable).</summary>
    public TimeSpan WatchRenewal { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Why these options cannot work, or null.</summary>
    public string? Validate() =>
        OutboxCapacity < 1 ? $"{Section}:OutboxCapacity must be at least 1."
        : MaxTasks < 1 ? $"{Section}:MaxTasks must be at least 1."
        : MaxQueues < 0 ? $"{Section}:MaxQueues must not be negative."
        : MaxFrameBytes < 256 ? $"{Section}:MaxFrameBytes must be at least 256."
        : WatchRenewal < TimeSpan.FromSeconds(1) ? $"{Section}:WatchRenewal must be at least one second."
        : null;
}
