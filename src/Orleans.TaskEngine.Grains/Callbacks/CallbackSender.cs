using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Callbacks;

/// <summary>
/// One attempt of a completion callback: a JSON POST of the task with <c>X-TaskEngine-Delivery</c>,
/// <c>X-TaskEngine-Timestamp</c> (Unix seconds of this attempt) and <c>X-TaskEngine-Signature</c> (HMAC-SHA256 of
/// <c>{timestamp}.{body}</c>; the timestamp is signed so a captured POST cannot be replayed later as new). Retries and
/// their state are the task grain's; this only sends.
/// </summary>
public sealed class CallbackSender(IHttpClientFactory clients, IOptions<CallbackOptions> options, IOptions<HttpHandlerOptions> http, TimeProvider time)
{
    public const string ClientName = "TaskEngine.Callbacks";
    public const string DeliveryHeader = "X-TaskEngine-Delivery";
    public const string TimestampHeader = "X-TaskEngine-Timestamp";
    public const string SignatureHeader = SignedPost.SignatureHeader;

    public CallbackOptions Settings => options.Value;

    /// <summary>Why a callback to <paramref name="url"/> cannot be accepted on this silo, or null.</summary>
    public string? Refuse(string url)
    {
        if (string.IsNullOrEmpty(options.Value.Secret))
        {
            return $"callbackUrl needs {CallbackOptions.Section}:Secret, which is not configured: every callback is signed with it. Set it on the silos, or submit without callbackUrl.";
        }

        var host = new Uri(url).Host;
        return http.Value.Allows(host)
            ? null
            : $"callbackUrl host '{host}' is not on {HttpHandlerOptions.Section}:AllowedHosts; callbacks go only to allowed hosts.";
    }

    /// <summary>POSTs <paramref name="body"/> once; null when the receiver answered 2xx, else what went wrong.</summary>
    public Task<string?> SendAsync(string url, string deliveryId, byte[] body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
        KeyValuePair<string, string>[] headers =
        [
            new(DeliveryHeader, deliveryId),
            new(TimestampHeader, timestamp),
            new(SignatureHeader, SignedPost.Sign(settings.Secret ?? string.Empty, signed)),
        ];
        return SignedPost.SendAsync(clients.CreateClient(ClientName), url, body, headers, settings.Timeout, cancellationToken);
    }
}
