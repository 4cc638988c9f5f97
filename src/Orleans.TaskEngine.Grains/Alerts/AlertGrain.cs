using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Evaluates the alert rules for the whole cluster (key 0: one activation cluster-wide) on a grain timer, every
/// <see cref="AlertOptions.EvaluationInterval"/>. A transition is written to the grain's state together with the POST
/// it owes each webhook (the book's outbox), then logged, and the outbox is handed to <see cref="AlertWebhooks"/>,
/// which settles each delivery here once it is delivered or given up. Each evaluation hands the outbox over again (the
/// sender ignores what it already holds), so a delivery whose sender died, or whose settling was lost, is sent again
/// with the same delivery id: at least once per transition and webhook. The timer keeps the grain active; the silos'
/// <see cref="AlertKeeper"/> brings it back after its silo dies or the cluster restarts.
/// </summary>
public sealed partial class AlertGrain : Grain, IAlertGrain
{
    private readonly StoredGrainState<AlertBook> _state;
    private readonly AlertOptions _options;
    private readonly IReadOnlyList<AlertRule> _rules;
    private readonly AlertInputReader _reader;
    private readonly AlertWebhooks _webhooks;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertGrain> _logger;

    public AlertGrain(
        [FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage, IOptions<AlertOptions> options, AlertInputReader reader,
        AlertWebhooks webhooks, TimeProvider time, ILogger<AlertGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = new StoredGrainState<AlertBook>(storage, "alerts", this.GetGrainId());
        _options = options.Value;
        _rules = AlertRule.All(_options);
        _reader = reader;
        _webhooks = webhooks;
        _time = time;
        _logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _state.ReadAsync();
        var forgotten = AlertOutbox.Forget(_state.State, _options.Webhooks);
        if (forgotten.Count > 0)
        {
            // Owed to webhooks taken out of the configuration: nobody is there to send them to.
            LogForgotten(forgotten.Count);
            await TryWriteAsync();
        }

        HandOver();
        if (_rules.Count > 0)
        {
            this.RegisterGrainTimer(
                EvaluateAsync,
                new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = _options.EvaluationInterval, Interleave = false, KeepAlive = true });
        }
    }

    public Task<AlertStatus[]> GetAlerts() =>
        Task.FromResult(_state.State.Alerts.Values.Where(a => _rules.Any(r => r.Name == a.Name)).OrderBy(a => a.Name, StringComparer.Ordinal).ToArray());

    public Task Wake() => Task.CompletedTask;

    public async Task Settled(string deliveryId)
    {
        if (AlertOutbox.Settle(_state.State, deliveryId))
        {
            await TryWriteAsync();
        }
    }

    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var inputs = await _reader.ReadAsync(_rules, _time.GetUtcNow(), cancellationToken);
        var before = _state.State;
        var evaluation = AlertEvaluator.Evaluate(_rules, before, inputs);
        var dropped = AlertOutbox.Add(evaluation.Book, evaluation.Transitions, _options.Webhooks, NewDeliveryId);
        _state.State = evaluation.Book;
        if (evaluation.Changed)
        {
            try
            {
                await _state.WriteAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is sent for what could not be stored: a fresh activation reads what is, and decides again.
                LogWriteFailed(ex);
                _state.State = before;
                DeactivateOnIdle();
                return;
            }
        }

        foreach (var transition in evaluation.Transitions)
        {
            if (transition.State == AlertState.Firing)
            {
                LogFiring(transition.Name, transition.Message, transition.Since);
            }
            else
            {
                LogResolved(transition.Name, transition.Message, transition.Since);
            }
        }

        foreach (var delivery in dropped)
        {
            LogDropped(delivery.Alert.Name, delivery.Alert.State, delivery.Url, AlertOutbox.MaxPerWebhook);
        }

        HandOver();
    }

    private void HandOver()
    {
        foreach (var delivery in _state.State.Outbox)
        {
            _webhooks.Send(delivery);
        }
    }

    /// <summary>A write that may fail: what it carries is written by the next one, or sent again after a restart (at least once).</summary>
    private async Task TryWriteAsync()
    {
        try
        {
            await _state.WriteAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogOutboxWriteFailed(ex);
        }
    }

    private static string NewDeliveryId() => "alr-" + Guid.NewGuid().ToString("N");
}
