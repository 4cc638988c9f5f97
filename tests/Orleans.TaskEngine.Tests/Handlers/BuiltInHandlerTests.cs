using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Handlers;

[Collection(SharedClusterCollection.Name)]
public sealed class BuiltInHandlerTests(SharedEngineCluster fixture)
{
    private readonly Client.TaskEngineClusterClient _engine = fixture.Engine;

    [Fact]
    public async Task Echo_returns_its_payload()
    {
        var task = await _engine.Finished(await _engine.SubmitOk("echo", new { a = 1, b = new[] { "x" } }));
        Assert.Equal("""{"a":1,"b":["x"]}""", task.Result);
    }

    [Fact]
    public async Task Delay_waits_the_given_time_and_refuses_a_bad_payload_permanently()
    {
        var task = await _engine.Finished(await _engine.SubmitOk("delay", new { ms = 200 }));
        Assert.Equal(TaskState.Completed, task.Status);
        Assert.True(task.FinishedAt - task.StartedAt >= TimeSpan.FromMilliseconds(190));

        var bad = await _engine.Finished(await _engine.SubmitOk("delay", new { ms = "soon" }));
        Assert.Equal(TaskState.Failed, bad.Status);
        Assert.Equal(TaskErrorKinds.Permanent, bad.Error!.Kind);
    }

    [Fact]
    public async Task Http_calls_an_allowed_host_and_returns_status_and_body()
    {
        using var server = new OneShotHttpServer("""{"pong":true}""");
        var id = await _engine.SubmitOk("http", new { url = $"http://localhost:{server.Port}/hook", method = "POST", body = new { ping = 1 } });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Completed, task.Status);
        using var result = JsonDocument.Parse(task.Result!);
        Assert.Equal(200, result.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("""{"pong":true}""", result.RootElement.GetProperty("body").GetString());
        Assert.Contains("\"ping\":1", await server.ReceivedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_refuses_a_host_that_is_not_on_the_allow_list_without_calling_it()
    {
        using var server = new OneShotHttpServer("{}");
        var id = await _engine.SubmitOk("http", new { url = $"http://127.0.0.1:{server.Port}/hook" }, s => s with { MaxAttempts = 3 });
        var task = await _engine.Finished(id);

        Assert.Equal(TaskState.Failed, task.Status);
        Assert.Equal(1, task.Attempts);
        Assert.Equal(TaskErrorKinds.Permanent, task.Error!.Kind);
        Assert.Contains("AllowedHosts", task.Error.Message, StringComparison.Ordinal);
        Assert.False(server.ReceivedBody.IsCompleted);
    }

    /// <summary>A loopback HTTP server that answers one request with a fixed JSON body.</summary>
    private sealed class OneShotHttpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<string> _body = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public OneShotHttpServer(string response)
        {
            _listener.Start();
            _ = ServeAsync(response);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task<string> ReceivedBody => _body.Task;

        public void Dispose() => _listener.Stop();

        private async Task ServeAsync(string response)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var text = new StringBuilder();
                while (true)
                {
                    var n = await stream.ReadAsync(buffer);
                    if (n == 0)
                    {
                        break;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    var all = text.ToString();
                    var headerEnd = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headerEnd < 0)
                    {
                        continue;
                    }

                    var lengthLine = all[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (Encoding.UTF8.GetByteCount(all[(headerEnd + 4)..]) >= length)
                    {
                        _body.TrySetResult(all[(headerEnd + 4)..]);
                        break;
                    }
                }

                var payload = Encoding.UTF8.GetBytes(response);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(payload);
            }
            catch (Exception) when (!_body.Task.IsCompleted)
            {
                // The listener was stopped before anyone called: that is what the refusal test expects.
            }
        }
    }
}
