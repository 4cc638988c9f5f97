using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Sends each alert transition as a JSON POST (<c>{"name", "state", "since", "message", "labels"}</c>) to every URL of
/// <see cref="AlertOptions.Webhooks"/>, signed (<c>X-TaskEngine-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>).
/// Each URL has its own queue and loop, so a failing receiver delays only its own POSTs (in order) and never the
/// evaluation or another receiver. A failed attempt (network error, timeout, non-2xx answer) is retried after
/// <see cref="AlertOptions.RetryBaseDelay"/>, doubling up to <see cref="AlertOptions.RetryMaxDelay"/>, at most
/// <see cref="AlertOptions.MaxAttempts"/> times; then it is dropped with an error in the log.
/// </summary>
public sealed partial class AlertWebhooks(IHttpClientFactory clients, IOptions<AlertOptions> options, ILogger<AlertWebhooks> logger)
    : IHostedService, IDisposable
{
    public const string ClientName = "TaskEngine.Alerts";
    public const string SignatureHeader = SignedPost.SignatureHeader;

    // Bounded so that a receiver down for days does not grow the silo's memory: the oldest waiting POSTs go first.
    private const int MaxWaiting = 1000;

    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Channel<AlertStatus>> _queues = options.Value.Webhooks.Distinct(StringComparer.Ordinal).ToDictionary(
        url => url,
        _ => Channel.CreateBounded<AlertStatus>(new BoundedChannelOptions(MaxWaiting) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }),
        StringComparer.Ordinal);

    private Task[] _loops = [];

    /// <summary>The signature header's value for <paramref name="body"/> (<see cref="SignedPost.Sign"/>).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) => SignedPost.Sign(secret, body);

    /// <summary>Queues <paramref name="alert"/> for every webhook; returns at once.</summary>
    public void Send(AlertStatus alert)
    {
        foreach (var queue in _queues.Values)
        {
            queue.Writer.TryWrite(alert);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loops = [.. _queues.Select(q => Task.Run(() => DeliverAsync(q.Key, q.Value.Reader, _stopping.Token), CancellationToken.None))];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task DeliverAsync(string url, ChannelReader<AlertStatus> queue, CancellationToken stopping)
    {
        try
        {
            await foreach (var alert in queue.ReadAllAsync(stopping))
            {
                await PostAsync(url, alert, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task PostAsync(string url, AlertStatus alert, CancellationToken stopping)
    {
        var settings = options.Value;
        var body = JsonSerializer.SerializeToUtf8Bytes(alert, TaskEngineJson.Options);
        var signature = Sign(settings.Secret ?? string.Empty, body);
        var client = clients.CreateClient(ClientName);
        var delay = settings.RetryBaseDelay;
        for (var attempt = 1; ; attempt++)
        {
            var failure = await SignedPost.SendAsync(client, url, body, [new(SignatureHeader, signature)], settings.WebhookTimeout, stopping);
            if (failure is null)
            {
                LogSent(alert.Name, alert.State, url, attempt);
                return;
            }

            if (attempt >= settings.MaxAttempts)
            {
                LogDropped(alert.Name, alert.State, url, attempt, failure);
                return;
            }

            LogRetrying(alert.Name, alert.State, url, attempt, failure, delay);
            await Task.Delay(delay, stopping);
            delay = delay * 2 < settings.RetryMaxDelay ? delay * 2 : settings.RetryMaxDelay;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {Name} ({State}) sent to {Url} at attempt {Attempt}")]
    private partial void LogSent(string name, AlertState state, string url, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Name} ({State}) not delivered to {Url} at attempt {Attempt} ({Failure}); trying again in {Delay}")]
    private partial void LogRetrying(string name, AlertState state, string url, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Name} ({State}) dropped for {Url} after {Attempt} attempts ({Failure}); see TaskEngine:Alerts:MaxAttempts")]
    private partial void LogDropped(string name, AlertState state, string url, int attempt, string failure);
}
