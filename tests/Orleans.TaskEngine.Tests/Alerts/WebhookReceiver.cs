using System.Collections.Concurrent;
using System.Net;
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
    private readonly LocalReceiver _receiver;
    private int _failuresLeft;

    public WebhookReceiver(int failFirst = 0)
    {
        _failuresLeft = failFirst;
        _receiver = new LocalReceiver("hook", (headers, body) =>
        {
            var answer = Interlocked.Decrement(ref _failuresLeft) >= 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent;
            Requests.Enqueue((body, headers[AlertWebhooks.SignatureHeader], answer));
            return answer;
        });
    }

    public string Url => _receiver.Url;

    /// <summary>Every POST received, answered or not, in order.</summary>
    public ConcurrentQueue<(string Body, string? Signature, HttpStatusCode Answer)> Requests { get; } = new();

    /// <summary>The alerts of the POSTs answered 2xx, in order, for one alert name.</summary>
    public IReadOnlyList<AlertStatus> Delivered(string name) =>
        [.. Requests.Where(r => r.Answer == HttpStatusCode.NoContent).Select(r => Parse(r.Body)).Where(a => a.Name == name)];

    public static AlertStatus Parse(string body) =>
        JsonSerializer.Deserialize<AlertStatus>(body, Orleans.TaskEngine.Http.TaskEngineJson.Options)!;

    public void Dispose() => _receiver.Dispose();
}
