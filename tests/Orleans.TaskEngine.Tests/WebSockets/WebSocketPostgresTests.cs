using System.Net.WebSockets;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tests.Infrastructure;
using static Orleans.TaskEngine.Tests.WebSockets.WebSocketScenarios;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>
/// The WebSocket on the durable cluster as it runs in production: two silo processes on PostgreSQL and the API host in
/// Client mode, whose queue subscriptions are observers it holds as a client of the cluster.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WebSocketPostgresTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_hundred_tasks_on_one_WebSocket_and_a_queue_subscription_on_PostgreSQL_in_Client_mode()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, $"ws_{Guid.NewGuid():N}"[..20], silos: 2);
        await cluster.ExplainFailuresAsync(async () =>
        {
            var baseUrl = cluster.ApiHttp.BaseAddress!;
            // A queue's tasks, submitted after the subscription, through whichever silo holds the queue's scheduler.
            var queue = "ws-" + Guid.NewGuid().ToString("N")[..8];
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://{baseUrl.Authority}/api/ws?queue={queue}"), CancellationToken.None);
            using var client = new WebSocketTestClient(socket);
            Assert.Equal(queue, (await client.ReceiveAsync(Deadline))!.Value.GetProperty("subscribed").GetProperty("queues")[0].GetString());
            var ids = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                ids.Add((await cluster.Api.SubmitAsync(new SubmitTaskRequest { Type = "echo", Queue = queue })).Id);
            }

            var finished = new HashSet<string>(StringComparer.Ordinal);
            var frames = await client.ReceiveUntilAsync(f => IsTerminal(f) && finished.Add(TaskIdOf(f)) && finished.Count == ids.Count, TimeSpan.FromSeconds(30));
            var events = frames.Where(IsEvent).ToLookup(TaskIdOf);
            foreach (var id in ids)
            {
                Assert.Equal((await cluster.Api.GetAsync(id))!.History.Select(e => e.Sequence), events[id].Select(f => f.GetProperty("sequence").GetInt64()));
            }

            await WebSocketHostProcessTests.RunAsync(baseUrl);
        });
    }
}
