using Orleans.TaskEngine.Callbacks;

namespace Orleans.TaskEngine.Tasks;

/// <summary>The completion callback's rules: what an attempt's outcome changes in the delivery stored with the task.</summary>
public sealed partial class TaskStateMachine
{
    /// <summary>
    /// One attempt of delivery <paramref name="deliveryId"/> ended: delivered (<paramref name="failure"/> null), due
    /// again after <paramref name="retryDelay"/>, or given up after <paramref name="maxAttempts"/>. An outcome of
    /// another delivery (one before a retry) or of one already settled is refused.
    /// </summary>
    public TaskTransition CallbackAttempted(TaskGrainState current, string deliveryId, string? failure, int maxAttempts, TimeSpan retryDelay, TaskMoment at)
    {
        if (current.Submission is null || current.Callback is not { Status: CallbackStatus.Pending } delivery || delivery.DeliveryId != deliveryId)
        {
            return TaskTransition.Refused($"Callback delivery {deliveryId} is not pending on this task.");
        }

        var next = current.Copy();
        var attempts = delivery.Attempts + 1;
        if (failure is null)
        {
            next.Callback = delivery with { Status = CallbackStatus.Delivered, Attempts = attempts, LastError = null };
            return Applied($"Callback delivered at attempt {attempts}.", next, TaskEffects.None);
        }

        if (attempts >= maxAttempts)
        {
            next.Callback = delivery with { Status = CallbackStatus.GivenUp, Attempts = attempts, LastError = failure };
            return Applied($"Callback given up after {attempts} attempts: {failure}.", next, TaskEffects.None);
        }

        next.Callback = delivery with { Attempts = attempts, LastError = failure, NextAttemptAt = at.Now + retryDelay };
        return Applied($"Callback attempt {attempts} failed ({failure}); next at {next.Callback.NextAttemptAt:O}.", next, TaskEffects.DeliverCallback);
    }

    private string NewDeliveryId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
