using System.Net;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>An agent kept alive by heartbeats from the test (every 300 ms), until it is disposed.</summary>
public sealed class AliveAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public AliveAgent(string id, AgentHttp api)
    {
        Id = id;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var (status, _) = await api.SendAsync(HttpMethod.Post, $"/api/agents/{id}/heartbeat", new { });
                if (status == HttpStatusCode.NotFound)
                {
                    return;
                }

                try
                {
                    await Task.Delay(300, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public string Id { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
