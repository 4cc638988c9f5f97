using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// A webhook receiver on a free local port: records every POST (body and signature) and answers 204, or 500 to the
/// first <paramref name="failFirst"/> POSTs (to make the sender retry).
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _failuresLeft;

    public WebhookReceiver(int failFirst = 0)
    {
        _failuresLeft = failFirst;
        Url = $"http://127.0.0.1:{EngineProcess.FreePort()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Every POST received, answered or not, in order.</summary>
    public ConcurrentQueue<(string Body, string? Signature, HttpStatusCode Answer)> Requests { get; } = new();

    /// <summary>The alerts of the POSTs answered 2xx, in order, for one alert name.</summary>
    public IReadOnlyList<AlertStatus> Delivered(string name) =>
        [.. Requests.Where(r => r.Answer == HttpStatusCode.NoContent).Select(r => Parse(r.Body)).Where(a => a.Name == name)];

    public static AlertStatus Parse(string body) =>
        JsonSerializer.Deserialize<AlertStatus>(body, Orleans.TaskEngine.Http.TaskEngineJson.Options)!;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var answer = Interlocked.Decrement(ref _failuresLeft) >= 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent;
            Requests.Enqueue((body, context.Request.Headers[AlertWebhooks.SignatureHeader], answer));
            context.Response.StatusCode = (int)answer;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
