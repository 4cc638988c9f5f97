using System.Text.Json;
using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The completion callback: once a finish with a <c>callbackUrl</c> is stored, a grain timer sends it, and each
/// attempt's outcome is stored before the next is armed. The POST runs off the grain's turn, so a slow receiver never
/// holds up the task's other calls; its outcome comes back as a call of the grain to itself. What survives a crash is
/// the stored delivery and the watchdog reminder registered with the finish: the reminder reactivates the task, which
/// sends again (at least once: a POST whose outcome was not stored is sent again, with the same delivery id).
/// </summary>
public sealed partial class TaskGrain
{
    // Beyond the POST's own time limit: an outcome not back by then was lost (with its message), and may be sent again.
    private static readonly TimeSpan LostOutcomeMargin = TimeSpan.FromSeconds(30);

    private IGrainTimer? _callbackTimer;
    private string? _callbackInFlight;
    private DateTimeOffset _callbackSentAt;

    public async Task CallbackAttempted(string deliveryId, string? failure)
    {
        if (_callbackInFlight == deliveryId)
        {
            _callbackInFlight = null;
        }

        var settings = _callbacks.Settings;
        var attempt = (_durable.Callback?.Attempts ?? 0) + 1;
        var delay = RetryBackoff.Compute(attempt, settings.RetryBaseDelay, settings.RetryMaxDelay, Random.Shared);
        var transition = _machine.CallbackAttempted(_durable, deliveryId, failure, settings.MaxAttempts, delay, Moment);
        if (!transition.Applied)
        {
            return;
        }

        try
        {
            await ApplyAsync(transition);
        }
        catch (TaskEngineUnavailableException ex)
        {
            // The outcome is not stored: the activation goes, and the watchdog wakes the task to send again.
            LogCallbackNotStored(ex, Id, deliveryId);
            return;
        }

        var delivery = _durable.Callback!;
        switch (delivery.Status)
        {
            case CallbackStatus.Delivered:
                LogCallbackDelivered(Id, deliveryId, delivery.Attempts);
                break;
            case CallbackStatus.GivenUp:
                LogCallbackGivenUp(Id, deliveryId, delivery.Attempts, failure);
                break;
            default:
                LogCallbackRetrying(Id, deliveryId, delivery.Attempts, failure, delay);
                return;
        }

        await SettleCallbackAsync();
    }

    /// <summary>The callback needs nothing more: the watchdog it held goes, and the task's retention takes over again.</summary>
    private async Task SettleCallbackAsync()
    {
        StopTimer(ref _callbackTimer);
        if (_durable.WatchdogRegistered && _durable.Status.IsTerminal())
        {
            try
            {
                await RemoveWatchdogAsync();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                // A reminder left behind only costs a tick, which removes it.
                LogWatchdogFailed(ex, Id);
            }
        }

        ArmWakeTimer();
        ReleaseIfSettled();
    }

    /// <summary>Arms the timer of the next attempt, unless one is out (and not lost) or none is due.</summary>
    private void ArmCallbackTimer()
    {
        if (_durable.Callback is not { Status: CallbackStatus.Pending } delivery
            || (_callbackInFlight is not null && Now - _callbackSentAt < _callbacks.Settings.Timeout + LostOutcomeMargin))
        {
            return;
        }

        StopTimer(ref _callbackTimer);
        var due = delivery.NextAttemptAt - Now;
        _callbackTimer = this.RegisterGrainTimer(
            _ => SendCallback(),
            new GrainTimerCreationOptions { DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
    }

    private Task SendCallback()
    {
        StopTimer(ref _callbackTimer);
        if (_durable.Callback is not { Status: CallbackStatus.Pending } delivery || _durable.Submission?.CallbackUrl is not { } url)
        {
            return Task.CompletedTask;
        }

        var deliveryId = delivery.DeliveryId;
        _callbackInFlight = deliveryId;
        _callbackSentAt = Now;
        var body = JsonSerializer.SerializeToUtf8Bytes(TaskResource.From(Snapshot()), TaskEngineJson.Options);
        var self = this.AsReference<ITaskProtocolGrain>();
        var id = Id;

        // Off the grain's turn (the thread pool, not the grain's scheduler): the turn ends now, and the outcome is a new call.
        _ = Task.Run(async () =>
        {
            string? failure;
            try
            {
                failure = await _callbacks.SendAsync(url, deliveryId, body, CancellationToken.None);
            }
            catch (Exception ex)
            {
                failure = $"{ex.GetType().Name}: {ex.Message}";
            }

            try
            {
                await self.CallbackAttempted(deliveryId, failure);
            }
            catch (Exception ex)
            {
                // The grain is gone (its silo is stopping): the stored delivery is still pending, and the watchdog sends it.
                LogCallbackOutcomeLost(ex, id, deliveryId);
            }
        });
        return Task.CompletedTask;
    }
}
