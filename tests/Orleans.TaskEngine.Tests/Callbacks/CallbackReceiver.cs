using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>
/// A callback receiver on a free local port: records every POST with its headers and answers 500 to the first
/// <paramref name="failFirst"/> POSTs, and to every POST while <see cref="Refusing"/> is set; 204 otherwise.
/// </summary>
public sealed class CallbackReceiver : IDisposable
{
    private readonly LocalReceiver _receiver;
    private readonly RefusalPlan _refusals;

    public CallbackReceiver(int failFirst = 0)
    {
        _refusals = new RefusalPlan(failFirst);
        _receiver = new LocalReceiver("callback", Answer);
    }

    public string Url => _receiver.Url;

    public bool Refusing
    {
        get => _refusals.Refusing;
        set => _refusals.Refusing = value;
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>
    /// Answers 500 to the first <paramref name="count"/> POSTs whose body contains <paramref name="marker"/>, whatever
    /// else arrives meanwhile (another task's repeated delivery takes none of them).
    /// </summary>
    public void FailFirstContaining(string marker, int count) => _refusals.FailFirstContaining(marker, count);

    /// <summary>The POSTs about one task, in order.</summary>
    public IReadOnlyList<Received> For(string taskId) => [.. Requests.Where(r => r.Task.Id == taskId)];

    /// <summary>Whether the signature is the HMAC-SHA256 of <c>{timestamp}.{body}</c> with <paramref name="secret"/>.</summary>
    public static bool IsSigned(Received request, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{request.Timestamp}.{request.Body}")));
        return request.Signature == expected;
    }

    private HttpStatusCode Answer(NameValueCollection headers, string body)
    {
        var answer = _refusals.Refuses(body) ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent;
        Requests.Enqueue(new Received(
            body, JsonSerializer.Deserialize<TaskResource>(body, TaskEngineJson.Options)!, headers[CallbackSender.DeliveryHeader],
            headers[CallbackSender.TimestampHeader], headers[CallbackSender.SignatureHeader], answer));
        return answer;
    }

    public void Dispose() => _receiver.Dispose();

    public sealed record Received(string Body, TaskResource Task, string? DeliveryId, string? Timestamp, string? Signature, HttpStatusCode Answer);
}
