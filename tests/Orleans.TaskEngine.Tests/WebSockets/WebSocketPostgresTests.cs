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
            using (var client = await ConnectAsync(baseUrl, $"?queue={queue}"))
            {
                await QueueSubscriptionAsync(cluster.Api, client, queue, "echo", count: 20);
            }

            await AgainstHostAsync(baseUrl);
        });
    }
}
