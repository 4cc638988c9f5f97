using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tests.Api;
using static Orleans.TaskEngine.Tests.WebSockets.WebSocketScenarios;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary><c>GET /api/ws</c> in front of a two-silo cluster (in memory): tasks, queues, refusals, keys, slow readers.</summary>
[Collection(ApiCollection.Name)]
public sealed class WebSocketApiTests(ApiCluster fixture)
{
    private static async Task<WebSocketTestClient> ConnectAsync(WebApplicationFactory<Program> factory, string query = "", string? key = null)
    {
        var client = factory.Server.CreateWebSocketClient();
        if (key is not null)
        {
            client.ConfigureRequest = r => r.Headers.Authorization = $"Bearer {key}";
        }

        return new WebSocketTestClient(await client.ConnectAsync(new Uri($"ws://localhost/api/ws{query}"), CancellationToken.None));
    }

    [Fact]
    public async Task A_hundred_tasks_on_one_WebSocket_arrive_every_event_once_and_in_order_per_task()
    {
        using var socket = await ConnectAsync(fixture.Open);
        await HundredTasksAsync(fixture.Api, socket, "progress");
    }

    [Fact]
    public async Task Each_frame_is_the_SSE_event_object_as_it_is_plus_taskId_and_status()
    {
        var accepted = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "progress" });
        await fixture.Api.WaitAsync(accepted.Id, Deadline);
        using var socket = await ConnectAsync(fixture.Open, $"?task={accepted.Id}");
        var frames = (await socket.ReceiveUntilAsync(IsTerminal, Deadline)).Where(IsEvent).ToList();

        using var response = await fixture.Http.GetAsync($"/api/tasks/{accepted.Id}/events", HttpCompletionOption.ResponseHeadersRead);
        var sse = new List<JsonNode>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            sse.Add(JsonNode.Parse(item.Data)!);
        }

        Assert.Equal(sse.Count, frames.Count);
        for (var i = 0; i < sse.Count; i++)
        {
            var frame = JsonNode.Parse(frames[i].GetRawText())!.AsObject();
            Assert.Equal(accepted.Id, frame["taskId"]!.GetValue<string>());
            Assert.Equal(sse[i]["status"]!.GetValue<string>(), frame["status"]!.GetValue<string>());
            frame.Remove("taskId");
            Assert.True(JsonNode.DeepEquals(sse[i], frame), $"SSE {sse[i].ToJsonString()} vs frame {frame.ToJsonString()}");
        }
    }

    [Fact]
    public async Task A_queue_subscription_sees_the_tasks_submitted_after_it_across_silos()
    {
        var queue = "ws-" + Guid.NewGuid().ToString("N")[..8];
        using var socket = await ConnectAsync(fixture.Open, $"?queue={queue}");
        await QueueSubscriptionAsync(fixture.Api, socket, queue, "progress");
    }

    [Fact]
    public async Task A_bad_subscribe_frame_gets_an_error_frame_and_changes_nothing()
    {
        var accepted = await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "progress" });
        await fixture.Api.WaitAsync(accepted.Id, Deadline);
        using var socket = await ConnectAsync(fixture.Open);

        foreach (var bad in new[] { "not json", """{"subscribe": {"tasks": "x"}}""", """{"unsubscribe": {}}""", """{"subscribe": {"topics": ["a"]}}""" })
        {
            await socket.SendAsync(bad);
            var error = (await socket.ReceiveAsync(Deadline))!.Value;
            Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
        }

        // One bad id refuses the whole frame: the good task in it is not followed.
        await socket.SendAsync(WebSocketTestClient.Subscribe([accepted.Id, "bad id!"]));
        Assert.Contains("subscribe.tasks[1]", (await socket.ReceiveAsync(Deadline))!.Value.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Still open and working: a good frame is taken, and its events are the first ones this connection sends.
        await socket.SendAsync(WebSocketTestClient.Subscribe([accepted.Id]));
        var frames = await socket.ReceiveUntilAsync(IsTerminal, Deadline);
        Assert.True(frames[0].TryGetProperty("subscribed", out _), frames[0].ToString());
        Assert.Equal((await fixture.Api.GetAsync(accepted.Id))!.History.Select(e => e.Sequence), frames.Where(IsEvent).Select(f => f.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task An_unknown_task_id_gets_an_error_frame_for_that_id()
    {
        var unknown = "no-such-task-" + Guid.NewGuid().ToString("N");
        using var socket = await ConnectAsync(fixture.Open, $"?task={unknown}");
        var frames = await socket.ReceiveUntilAsync(f => f.TryGetProperty("error", out _), Deadline);
        Assert.Equal(unknown, frames[^1].GetProperty("taskId").GetString());
        Assert.Equal(WebSocketState.Open, socket.Socket.State);
    }

    [Fact]
    public async Task A_bad_query_string_is_refused_before_the_upgrade()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync(fixture.Open, "?task=bad%20id"));
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_when_keys_are_configured_the_upgrade_gets_401()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync(fixture.Keyed));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);

        using var socket = await ConnectAsync(fixture.Keyed, "?queue=default", ApiCluster.Key);
        Assert.True((await socket.ReceiveAsync(Deadline))!.Value.TryGetProperty("subscribed", out _));
    }

    [Fact]
    public async Task A_client_that_lets_more_frames_pile_up_than_its_outbox_holds_is_closed_with_a_reason()
    {
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = "progress" })).Id);
        }

        foreach (var id in ids)
        {
            await fixture.Api.WaitAsync(id, Deadline);
        }

        // An outbox of 2 frames: 20 histories replayed at once outrun any client.
        await using var small = new ApiFactory(fixture.Cluster.Client, new Dictionary<string, string?> { ["TaskEngine:Api:WebSocket:OutboxCapacity"] = "2" });
        using var socket = await ConnectAsync(small, "?" + string.Join('&', ids.Select(id => $"task={id}")));
        while (await socket.ReceiveAsync(Deadline) is not null)
        {
            // Whatever went out before the outbox overflowed.
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
        Assert.Contains("too slow", socket.Socket.CloseStatusDescription, StringComparison.Ordinal);
    }
}
