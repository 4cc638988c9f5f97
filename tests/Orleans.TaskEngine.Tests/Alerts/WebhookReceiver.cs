using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// A webhook receiver on a free local port: records every POST (body, signature and delivery id) and answers 204, or
/// 500 to the first <paramref name="failFirst"/> POSTs and to every POST while <see cref="Refusing"/> (to make the
/// sender retry).
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly LocalReceiver _receiver;
    private readonly RefusalPlan _refusals;

    public WebhookReceiver(int failFirst = 0)
    {
        _refusals = new RefusalPlan(failFirst);
        _receiver = new LocalReceiver("hook", (headers, body) =>
        {
            var answer = _refusals.Refuses(body) ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent;
            Requests.Enqueue(new WebhookRequest(body, headers[AlertWebhooks.SignatureHeader], headers[AlertWebhooks.DeliveryHeader], answer));
            return answer;
        });
    }

    public string Url => _receiver.Url;

    /// <summary>While true, every POST is answered 500.</summary>
    public bool Refusing
    {
        get => _refusals.Refusing;
        set => _refusals.Refusing = value;
    }

    /// <summary>Every POST received, answered or not, in order.</summary>
    public ConcurrentQueue<WebhookRequest> Requests { get; } = new();

    /// <summary>The alerts of the POSTs answered 2xx, in order, for one alert name.</summary>
    public IReadOnlyList<AlertStatus> Delivered(string name) =>
        [.. Requests.Where(r => r.Answer == HttpStatusCode.NoContent).Select(r => Parse(r.Body)).Where(a => a.Name == name)];

    /// <summary>Every POST for one alert name, answered or not, in order.</summary>
    public IReadOnlyList<WebhookRequest> For(string name) => [.. Requests.Where(r => Parse(r.Body).Name == name)];

    public static AlertStatus Parse(string body) =>
        JsonSerializer.Deserialize<AlertStatus>(body, Orleans.TaskEngine.Http.TaskEngineJson.Options)!;

    public void Dispose() => _receiver.Dispose();
}

/// <summary>One POST a <see cref="WebhookReceiver"/> received, and what it answered.</summary>
public sealed record WebhookRequest(string Body, string? Signature, string? DeliveryId, HttpStatusCode Answer);
