using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>The completion callback's rules in <see cref="TaskStateMachine"/>, without a cluster.</summary>
public sealed class CallbackStateMachineTests
{
    private const string Url = "http://127.0.0.1:9/callback/";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TaskMoment At = new(T0, "silo-a");
    private readonly TaskStateMachine _machine = new(new TaskOptions { Retention = TimeSpan.FromHours(1) }, new Random(1));

    public static TheoryData<string> Finishes() => ["completed", "failed", "cancelled"];

    [Theory]
    [MemberData(nameof(Finishes))]
    public void Every_finish_with_a_callback_url_stores_a_pending_delivery_and_registers_the_watchdog_first(string finish)
    {
        var t = Finish(finish, Url);

        Assert.True(t.Applied);
        Assert.Equal(CallbackStatus.Pending, t.Next!.Callback!.Status);
        Assert.Equal(T0, t.Next.Callback.NextAttemptAt);
        Assert.Matches("^[0-9a-f]{32}$", t.Next.Callback.DeliveryId);
        Assert.True(t.Next.WatchdogRegistered);
        Assert.True(t.Has(TaskEffects.RegisterWatchdog | TaskEffects.DeliverCallback | TaskEffects.AnnounceFinished));

        var plain = Finish(finish, null);
        Assert.Null(plain.Next!.Callback);
        Assert.False(plain.Has(TaskEffects.RegisterWatchdog));
        Assert.False(plain.Has(TaskEffects.DeliverCallback));
    }

    [Fact]
    public void A_failed_attempt_keeps_the_delivery_id_and_sets_the_next_attempt_then_2xx_delivers_it()
    {
        var finished = Finish("completed", Url).Next!;
        var id = finished.Callback!.DeliveryId;

        var failed = _machine.CallbackAttempted(finished, id, "answered 500", 10, TimeSpan.FromSeconds(3), At);
        Assert.Equal(TaskEffects.DeliverCallback, failed.Effects);
        Assert.Equal(new CallbackDelivery { DeliveryId = id, Attempts = 1, NextAttemptAt = T0.AddSeconds(3), LastError = "answered 500" }, failed.Next!.Callback);
        Assert.Equal(finished.LastSequence, failed.Next.LastSequence);

        var delivered = _machine.CallbackAttempted(failed.Next, id, null, 10, TimeSpan.FromSeconds(3), At);
        Assert.Equal(CallbackStatus.Delivered, delivered.Next!.Callback!.Status);
        Assert.Equal(2, delivered.Next.Callback.Attempts);
        Assert.Equal(TaskEffects.None, delivered.Effects);

        // A late outcome (a repeat, or one of another delivery) changes nothing.
        Assert.False(_machine.CallbackAttempted(delivered.Next, id, null, 10, TimeSpan.Zero, At).Applied);
        Assert.False(_machine.CallbackAttempted(failed.Next, "other", null, 10, TimeSpan.Zero, At).Applied);
    }

    [Fact]
    public void The_last_failed_attempt_gives_the_delivery_up()
    {
        var state = Finish("failed", Url).Next!;
        var id = state.Callback!.DeliveryId;
        for (var i = 0; i < 3; i++)
        {
            state = _machine.CallbackAttempted(state, id, "refused", 3, TimeSpan.FromSeconds(1), At).Next!;
        }

        Assert.Equal(CallbackStatus.GivenUp, state.Callback!.Status);
        Assert.Equal(3, state.Callback.Attempts);
        Assert.False(_machine.CallbackAttempted(state, id, "refused", 3, TimeSpan.FromSeconds(1), At).Applied);
    }

    [Fact]
    public void A_task_is_not_purged_while_its_callback_is_pending_and_is_once_it_is_settled()
    {
        var finished = Finish("completed", Url).Next!;
        var afterRetention = At with { Now = T0.AddHours(2) };

        var kept = _machine.Expire(finished, afterRetention);
        Assert.False(kept.Applied);
        Assert.Contains("callback", kept.Message, StringComparison.Ordinal);

        var delivered = _machine.CallbackAttempted(finished, finished.Callback!.DeliveryId, null, 10, TimeSpan.Zero, At).Next!;
        Assert.True(_machine.Expire(delivered, afterRetention).Has(TaskEffects.Purge));
    }

    [Fact]
    public void A_retry_drops_the_pending_delivery_and_the_next_finish_calls_back_with_a_new_id()
    {
        var failed = Finish("failed", Url).Next!;
        var retried = _machine.Retry(failed, At).Next!;
        Assert.Null(retried.Callback);

        var running = _machine.Start(retried, "w", "silo-a", At).Next!;
        var again = _machine.Complete(running, running.Attempts, "1", At).Next!;
        Assert.Equal(CallbackStatus.Pending, again.Callback!.Status);
        Assert.NotEqual(failed.Callback!.DeliveryId, again.Callback.DeliveryId);
    }

    private TaskTransition Finish(string how, string? callbackUrl)
    {
        var pending = _machine.Submit(new TaskGrainState(), "task-1", new TaskSubmission { Type = "echo", CallbackUrl = callbackUrl }, At).Next!;
        if (how == "cancelled")
        {
            return _machine.Cancel(pending, null, At);
        }

        var running = _machine.Start(pending, "w", "silo-a", At).Next!;
        return how == "completed"
            ? _machine.Complete(running, 1, "42", At)
            : _machine.Fail(running, 1, new TaskError { Kind = TaskErrorKinds.Permanent, Message = "bad" }, At);
    }
}
