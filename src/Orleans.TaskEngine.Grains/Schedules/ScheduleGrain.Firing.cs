using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Schedules;

public sealed partial class ScheduleGrain
{
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (Definition is not { } definition || State.Paused || _clock is null)
        {
            return;
        }

        var plan = FiringPlan.Decide(_clock, State.LastFireTime, Now, definition.MissedPolicy, _firstTick);
        _firstTick = false;
        if (plan.Last is not { } last)
        {
            ArmNext();
            return;
        }

        if (plan.Missed > 0)
        {
            LogMissed(Id, plan.Missed, definition.MissedPolicy);
        }

        try
        {
            foreach (var fireTime in plan.Fire)
            {
                await FireAsync(fireTime, checkOverlap: true, cancellationToken);
            }

            State.LastFireTime = last;
            await _state.WriteAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What was submitted stays; a fresh activation reads what is stored and submits the same ids again (no-ops).
            LogTickFailed(ex, Id);
            Disarm();
            DeactivateOnIdle();
            return;
        }

        ArmNext();
    }

    /// <summary>Submits the firing's task (unless overlap says skip) and records the run; the caller writes the state.</summary>
    private async Task<(ScheduleRun? Run, SubmitResult Submit)> FireAsync(DateTimeOffset fireTime, bool checkOverlap, CancellationToken cancellationToken)
    {
        var definition = Definition!;
        var taskId = ScheduleIds.TaskIdFor(Id, fireTime);
        if (checkOverlap && definition.Overlap == ScheduleOverlap.Skip && await PreviousRunUnfinishedAsync(cancellationToken) is { } running)
        {
            LogOverlapSkipped(Id, fireTime, running);
            return (null, SubmitResult.Refused(taskId, SubmitOutcome.Invalid, $"The previous run's task {running} has not finished."));
        }

        var result = await _engine.SubmitAsync(definition.Task, taskId, cancellationToken);
        if (result.Outcome is not (SubmitOutcome.Accepted or SubmitOutcome.AlreadyExists))
        {
            LogRefused(Id, fireTime, result.Outcome, result.Reason);
            return (null, result);
        }

        var run = new ScheduleRun(taskId, fireTime);
        if (!State.Runs.Exists(r => r.TaskId == taskId))
        {
            State.Runs.Add(run);
            if (State.Runs.Count > MaxRuns)
            {
                State.Runs.RemoveRange(0, State.Runs.Count - MaxRuns);
            }
        }

        return (run, result);
    }

    private async Task<string?> PreviousRunUnfinishedAsync(CancellationToken cancellationToken)
    {
        if (State.Runs.Count == 0)
        {
            return null;
        }

        var previous = State.Runs[^1].TaskId;
        var task = await _engine.GetAsync(previous, cancellationToken);
        return task is not null && !task.Status.IsTerminal() ? previous : null;
    }

    /// <summary>Sets the timer to the next fire time after the last one handled (and after now).</summary>
    private void ArmNext()
    {
        var now = Now;
        if (_clock?.Next(Max(now, State.LastFireTime)) is { } next)
        {
            Arm(next - now);
        }
        else
        {
            Disarm();
        }
    }

    private void Arm(TimeSpan due)
    {
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(
                TickAsync, new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = true });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Disarm()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task RegisterReminderAsync()
    {
        try
        {
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The keeper wakes it too; the reminder only makes a failover quicker.
            LogReminderFailed(ex, Id);
        }
    }

    private async Task UnregisterReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A reminder left behind unregisters itself at its next tick.
            LogReminderFailed(ex, Id);
        }
    }
}
