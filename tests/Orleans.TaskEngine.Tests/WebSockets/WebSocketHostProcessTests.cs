using System.Net.WebSockets;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>
/// The 100-task WebSocket check against the API host as shipped (a process, embedded silo, real sockets): in memory,
/// and on the SQLite store of its working directory.
/// </summary>
public sealed class WebSocketHostProcessTests
{
    [Fact]
    public async Task A_hundred_tasks_on_one_WebSocket_on_the_in_memory_host()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync();
        await using (host)
        {
            await RunAsync(baseUrl);
        }
    }

    [Fact]
    public async Task A_hundred_tasks_on_one_WebSocket_on_the_SQLite_store()
    {
        var folder = Directory.CreateTempSubdirectory("taskengine-ws-sqlite-").FullName;
        try
        {
            var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: folder);
            await using (host)
            {
                await host.WaitForOutputAsync("SQLite file", TimeSpan.FromSeconds(30));
                await RunAsync(baseUrl);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The scenario against a host at <paramref name="baseUrl"/>, over a real socket.</summary>
    public static async Task RunAsync(Uri baseUrl, string type = "echo")
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{baseUrl.Authority}/api/ws"), CancellationToken.None);
        using var client = new WebSocketTestClient(socket);
        await WebSocketScenarios.HundredTasksAsync(new TaskEngineHttpClient(http), client, type);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
