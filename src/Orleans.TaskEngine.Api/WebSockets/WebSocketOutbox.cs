using System.Threading.Channels;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>
/// The frames waiting to go out on one connection, at most <c>capacity</c>. Producers never wait: a frame that does
/// not fit means the client reads too slowly, and the connection is to be closed rather than grow without bound.
/// </summary>
public sealed class WebSocketOutbox : IDisposable
{
    private readonly Channel<string> _frames;
    private readonly CancellationTokenSource _overflow = new();

    public WebSocketOutbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _frames = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public int Capacity { get; }

    public ChannelReader<string> Reader => _frames.Reader;

    public bool Overflowed => _overflow.IsCancellationRequested;

    /// <summary>Cancelled when a frame did not fit.</summary>
    public CancellationToken OverflowToken => _overflow.Token;

    /// <summary>The close reason for a client that let the outbox fill (a WebSocket close reason: under 123 bytes).</summary>
    public string OverflowReason => $"too slow: {Capacity} frames waited unread";

    /// <summary>Queues a frame; false when the outbox is closed or full (then it closes: nothing more is taken).</summary>
    public bool TryPost(string frame)
    {
        if (_frames.Writer.TryWrite(frame))
        {
            return true;
        }

        if (_frames.Writer.TryComplete())
        {
            _overflow.Cancel();
        }

        return false;
    }

    /// <summary>No more frames: the connection is ending.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    public void Dispose() => _overflow.Dispose();
}
