using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>A test's side of <c>GET /api/ws</c>: JSON frames in, with a deadline on each read; the close, once it comes.</summary>
public sealed class WebSocketTestClient(WebSocket socket) : IDisposable
{
    public WebSocket Socket { get; } = socket;

    /// <summary>The next frame, or null when the server closed the connection (see <see cref="WebSocket.CloseStatus"/>).</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await Socket.ReceiveAsync(buffer, timeout.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                Assert.Equal(WebSocketMessageType.Text, received.MessageType);
                using var document = JsonDocument.Parse(message.ToArray());
                return document.RootElement.Clone();
            }
        }
    }

    /// <summary>Frames until <paramref name="done"/> says so (it sees every frame); fails at the deadline or a close.</summary>
    public async Task<List<JsonElement>> ReceiveUntilAsync(Func<JsonElement, bool> done, TimeSpan deadline)
    {
        var frames = new List<JsonElement>();
        var until = DateTimeOffset.UtcNow + deadline;
        while (true)
        {
            var left = until - DateTimeOffset.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"Timed out after {frames.Count} frames; the last: {(frames.Count > 0 ? frames[^1].ToString() : "none")}");
            var frame = await ReceiveAsync(left) ?? throw new InvalidOperationException($"Closed: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
            frames.Add(frame);
            if (done(frame))
            {
                return frames;
            }
        }
    }

    public Task SendAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public static string Subscribe(IEnumerable<string>? tasks = null, IEnumerable<string>? queues = null) =>
        JsonSerializer.Serialize(new { subscribe = new { tasks = tasks ?? [], queues = queues ?? [] } });

    public void Dispose() => Socket.Dispose();
}
