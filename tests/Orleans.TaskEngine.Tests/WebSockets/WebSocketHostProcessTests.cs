using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.WebSockets;

/// <summary>
/// The 100-task and queue WebSocket checks against the API host as shipped (a process, embedded silo, real sockets): in memory,
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
            await WebSocketScenarios.AgainstHostAsync(baseUrl);
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
                await WebSocketScenarios.AgainstHostAsync(baseUrl);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
