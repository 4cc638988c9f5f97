using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Sends the alert grain's deliveries: each a JSON POST (<c>{"name", "state", "since", "message", "labels"}</c>) to one
/// URL of <see cref="AlertOptions.Webhooks"/>, signed (<c>X-TaskEngine-Signature: sha256=&lt;hex HMAC-SHA256 of the
/// body&gt;</c>) and carrying its <c>X-TaskEngine-Delivery</c> id. Each URL has its own queue and loop, so a failing
/// receiver delays only its own POSTs (in order) and never the evaluation or another receiver. A failed attempt
/// (network error, timeout, non-2xx answer) is retried with backoff (<see cref="RetryBackoff"/>: from
/// <see cref="AlertOptions.RetryBaseDelay"/>, doubling up to <see cref="AlertOptions.RetryMaxDelay"/>, with jitter), at
/// most <see cref="AlertOptions.MaxAttempts"/> times; then it is given up with an error in the log. Either way the
/// delivery is then settled at the alert grain, which keeps it in its stored outbox until then.
/// </summary>
public sealed partial class AlertWebhooks(IHttpClientFactory clients, IGrainFactory grains, IOptions<AlertOptions> options, ILogger<AlertWebhooks> logger)
    : IHostedService, IDisposable
{
    public const string ClientName = "TaskEngine.Alerts";
    public const string SignatureHeader = SignedPost.SignatureHeader;
    public const string DeliveryHeader = CallbackSender.DeliveryHeader;

    private readonly CancellationTokenSource _stopping = new();

    // The grain hands its whole outbox over at each evaluation: what is queued or being sent here is not queued twice.
    // Unbounded, because the grain's outbox is bounded (AlertOutbox.MaxPerWebhook) and nothing is held here twice.
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Channel<AlertDelivery>> _queues = options.Value.Webhooks.Distinct(StringComparer.Ordinal).ToDictionary(
        url => url,
        _ => Channel.CreateUnbounded<AlertDelivery>(new UnboundedChannelOptions { SingleReader = true }),
        StringComparer.Ordinal);

    private Task[] _loops = [];

    /// <summary>The signature header's value for <paramref name="body"/> (<see cref="SignedPost.Sign"/>).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) => SignedPost.Sign(secret, body);

    /// <summary>Queues <paramref name="delivery"/> unless it is already held here or its URL is not configured; returns at once.</summary>
    public void Send(AlertDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (_queues.TryGetValue(delivery.Url, out var queue) && _held.TryAdd(delivery.Id, 0) && !queue.Writer.TryWrite(delivery))
        {
            _held.TryRemove(delivery.Id, out _);
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

    private async Task DeliverAsync(string url, ChannelReader<AlertDelivery> queue, CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in queue.ReadAllAsync(stopping))
            {
                await PostAsync(url, delivery, stopping);
                await SettleAsync(delivery, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping: what was not settled stays in the grain's outbox, for the next activation.
        }
    }

    private async Task PostAsync(string url, AlertDelivery delivery, CancellationToken stopping)
    {
        var settings = options.Value;
        var alert = delivery.Alert;
        var body = JsonSerializer.SerializeToUtf8Bytes(alert, TaskEngineJson.Options);
        KeyValuePair<string, string>[] headers = [new(SignatureHeader, Sign(settings.Secret ?? string.Empty, body)), new(DeliveryHeader, delivery.Id)];
        var client = clients.CreateClient(ClientName);
        for (var attempt = 1; ; attempt++)
        {
            var failure = await SignedPost.SendAsync(client, url, body, headers, settings.WebhookTimeout, stopping);
            if (failure is null)
            {
                LogSent(alert.Name, alert.State, url, attempt);
                return;
            }

            if (attempt >= settings.MaxAttempts)
            {
                LogGivenUp(alert.Name, alert.State, url, attempt, failure);
                return;
            }

            var delay = RetryBackoff.Compute(attempt, settings.RetryBaseDelay, settings.RetryMaxDelay, Random.Shared);
            LogRetrying(alert.Name, alert.State, url, attempt, failure, delay);
            await Task.Delay(delay, stopping);
        }
    }

    private async Task SettleAsync(AlertDelivery delivery, CancellationToken stopping)
    {
        try
        {
            await grains.GetGrain<IAlertGrain>(0).Settled(delivery.Id).WaitAsync(stopping);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Still in the outbox: the grain hands it over again and it is sent again, with the same delivery id.
            LogSettleFailed(ex, delivery.Alert.Name, delivery.Url);
        }
        finally
        {
            // Released only once settled (or not), so the grain's next hand-over cannot queue it a second time meanwhile.
            _held.TryRemove(delivery.Id, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {Name} ({State}) sent to {Url} at attempt {Attempt}")]
    private partial void LogSent(string name, AlertState state, string url, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Name} ({State}) not delivered to {Url} at attempt {Attempt} ({Failure}); trying again in {Delay}")]
    private partial void LogRetrying(string name, AlertState state, string url, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Name} ({State}) given up for {Url} after {Attempt} attempts ({Failure}); see TaskEngine:Alerts:MaxAttempts")]
    private partial void LogGivenUp(string name, AlertState state, string url, int attempt, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Name}'s POST to {Url} could not be settled at the alert grain; it will be sent again")]
    private partial void LogSettleFailed(Exception exception, string name, string url);
}
