using System.Net.WebSockets;
using System.Text.Json;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>What every host must do over <c>GET /api/ws</c>, whatever its store: the same checks for each.</summary>
public static class WebSocketScenarios
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static bool IsEvent(JsonElement frame) => frame.TryGetProperty("sequence", out _);

    public static string TaskIdOf(JsonElement frame) => frame.GetProperty("taskId").GetString()!;

    public static bool IsTerminal(JsonElement frame) =>
        IsEvent(frame) && Enum.Parse<TaskState>(frame.GetProperty("status").GetString()!, ignoreCase: true).IsTerminal();

    /// <summary>
    /// A queue subscription (<paramref name="socket"/> opened with <c>?queue=</c><paramref name="queue"/>): the tasks
    /// submitted after its acknowledgement arrive whole, once, in order, whichever silo runs them.
    /// </summary>
    public static async Task QueueSubscriptionAsync(TaskEngineHttpClient api, WebSocketTestClient socket, string queue, string type, int count = 10)
    {
        var ack = (await socket.ReceiveAsync(Deadline))!.Value;
        Assert.Equal(queue, ack.GetProperty("subscribed").GetProperty("queues")[0].GetString());
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = type, Queue = queue })).Id);
        }

        var finished = new HashSet<string>(StringComparer.Ordinal);
        var frames = await socket.ReceiveUntilAsync(f => IsTerminal(f) && finished.Add(TaskIdOf(f)) && finished.Count == ids.Count, Deadline);
        var events = frames.Where(IsEvent).ToLookup(TaskIdOf);
        foreach (var id in ids)
        {
            Assert.Equal((await api.GetAsync(id))!.History.Select(e => e.Sequence), events[id].Select(f => f.GetProperty("sequence").GetInt64()));
        }

        Assert.DoesNotContain(frames, f => f.TryGetProperty("error", out _));
    }

    /// <summary>
    /// 100 tasks on one WebSocket, subscribed while they run: every event of each arrives once and in order (the
    /// task's history exactly), finished tasks replayed first, then live.
    /// </summary>
    public static async Task HundredTasksAsync(TaskEngineHttpClient api, WebSocketTestClient socket, string type)
    {
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = type, Payload = JsonSerializer.SerializeToElement(new { i }) })).Id);
        }

        // Half by the query string's way (a frame), half later: replays and live events interleave on one connection.
        await socket.SendAsync(WebSocketTestClient.Subscribe(ids.Take(50)));
        await socket.SendAsync(WebSocketTestClient.Subscribe(ids.Skip(50)));
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var frames = await socket.ReceiveUntilAsync(f => IsTerminal(f) && finished.Add(TaskIdOf(f)) && finished.Count == ids.Count, Deadline);

        // A marker: an unknown task's error comes after anything already on its way.
        var marker = "ws-marker-" + Guid.NewGuid().ToString("N");
        await socket.SendAsync(WebSocketTestClient.Subscribe([marker]));
        frames.AddRange(await socket.ReceiveUntilAsync(f => f.TryGetProperty("error", out _) && f.TryGetProperty("taskId", out var t) && t.GetString() == marker, Deadline));

        var events = frames.Where(IsEvent).ToLookup(TaskIdOf);
        Assert.Equal(ids.Order(StringComparer.Ordinal), events.Select(g => g.Key).Order(StringComparer.Ordinal));
        foreach (var id in ids)
        {
            var history = (await api.GetAsync(id))!.History.Select(e => e.Sequence);
            Assert.Equal(history, events[id].Select(f => f.GetProperty("sequence").GetInt64()));
        }

        Assert.DoesNotContain(frames, f => f.TryGetProperty("error", out _) && !(f.TryGetProperty("taskId", out var t) && t.GetString() == marker));
    }

    /// <summary>The scenarios against a host at <paramref name="baseUrl"/>, over real sockets: 100 tasks, then a queue.</summary>
    public static async Task AgainstHostAsync(Uri baseUrl, string type = "echo")
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        var api = new TaskEngineHttpClient(http);
        using (var client = await ConnectAsync(baseUrl))
        {
            await HundredTasksAsync(api, client, type);
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var queue = "ws-" + Guid.NewGuid().ToString("N")[..8];
        using (var client = await ConnectAsync(baseUrl, $"?queue={queue}"))
        {
            await QueueSubscriptionAsync(api, client, queue, type);
        }
    }

    public static async Task<WebSocketTestClient> ConnectAsync(Uri baseUrl, string query = "")
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{baseUrl.Authority}/api/ws{query}"), CancellationToken.None);
        return new WebSocketTestClient(socket);
    }
}
