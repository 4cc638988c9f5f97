using Orleans.Runtime;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>
/// A finished batch keeps its state for the tasks' retention (<c>TaskEngine:Tasks:Retention</c>), counted from its
/// finish, like its members, then forgets it once its callback task is gone too: its id answers 404. An expiry
/// reminder, registered before the finish is stored, wakes it.
/// </summary>
public sealed partial class BatchGrain
{
    private const string ExpiryReminderName = "batch-expiry";

    /// <summary>Wakes the batch when its retention is over (or, for a long retention, daily until then).</summary>
    private async Task ArmExpiryAsync(DateTimeOffset finishedAt, DateTimeOffset now)
    {
        var wait = BatchTally.ExpiryWait(finishedAt, now, _retention);
        await this.RegisterOrUpdateReminder(ExpiryReminderName, wait, wait);
    }

    /// <summary>A tick of a finished batch: forgets it once its retention is over, else waits again.</summary>
    private async Task ExpireIfDueAsync(DateTimeOffset now)
    {
        // A crash between storing the finish and stopping the recovery reminder leaves it ticking: it stops here.
        await StopRemindersAsync(RecoveryReminderName);
        if (State.FinishedAt is null)
        {
            // Finished before batches stored when: its retention counts from now.
            await ArmExpiryAsync(now, now);
            State.FinishedAt = now;
            await WriteAsync();
            return;
        }

        if (!BatchTally.IsDueToBeForgotten(State, now, _retention))
        {
            // Early (a clock ahead of this one, or a retention longer than one wait): check again when it is due.
            await ArmExpiryAsync(State.FinishedAt.Value, now);
            return;
        }

        // The callback's id is fixed by the batch's: a batch made again under this id (the same Idempotency-Key) could
        // not submit its own callback while this one is kept, so the batch waits for that task's retention too.
        if (await GrainFactory.GetGrainByKey<ITaskGrain>(BatchTally.CallbackTaskId(Id)).Get() is { } callback)
        {
            await ArmExpiryAsync(callback.FinishedAt ?? now, now);
            return;
        }

        await ForgetAsync();
        LogForgotten(Id, _retention);
    }
}
