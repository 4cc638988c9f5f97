namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// How a running attempt ends (completed, failed, timed out, its worker lost, handed back) and what it reports while
/// it runs: the commands of <see cref="TaskStateMachine"/> that only a running task takes.
/// </summary>
public sealed partial class TaskStateMachine
{
    public TaskTransition Complete(TaskGrainState current, int attempt, string? result, TaskMoment at)
    {
        if (RefuseReport(current, attempt, "completion") is { } refused)
        {
            return refused;
        }

        var next = current.Copy();
        next.Result = result;
        Finish(next, TaskState.Completed, "completed", at, onWorker: true);
        return Applied("The task is completed.", next, FinishedFor(next));
    }

    /// <summary>A worker reports that the current attempt ended without a result.</summary>
    public TaskTransition Fail(TaskGrainState current, int attempt, TaskError error, TaskMoment at)
    {
        if (RefuseReport(current, attempt, "failure") is { } refused)
        {
            return refused;
        }

        return error.Kind switch
        {
            TaskErrorKinds.HandedBack => HandBack(current.Copy(), error.Message, at),
            TaskErrorKinds.WorkerLost => LoseWorker(current.Copy(), error.Message, at, onWorker: true),
            _ => FailAttempt(current.Copy(), error with { Attempt = attempt, At = at.Now }, at, onWorker: true),
        };
    }

    /// <summary>The attempt ran past the task's timeout: it fails as <c>timeout</c>, and its handler is cancelled.</summary>
    public TaskTransition Timeout(TaskGrainState current, TaskMoment at)
    {
        if (current.Status != TaskState.Running || current.Submission is null)
        {
            return TaskTransition.Refused($"The task is {Describe(current)}; only a running attempt times out.");
        }

        var error = new TaskError
        {
            Kind = TaskErrorKinds.Timeout,
            Message = $"attempt {current.Attempts} ran past its timeout of {current.Submission.TimeoutSeconds} s",
            Attempt = current.Attempts,
            At = at.Now,
        };
        var transition = FailAttempt(current.Copy(), error, at, onWorker: false);
        return current.WorkerId is { } workerId
            ? transition with { Effects = transition.Effects | TaskEffects.CancelOnWorker, Cancel = new WorkerCancellation(workerId, current.Attempts, "timeout") }
            : transition;
    }

    /// <summary>
    /// The worker that runs the task is gone (its silo died, or it no longer runs the attempt). Null
    /// <paramref name="workerId"/>: whichever worker runs it.
    /// </summary>
    public TaskTransition WorkerLost(TaskGrainState current, string? workerId, string why, TaskMoment at)
    {
        if (current.Status != TaskState.Running || current.Submission is null || (workerId is not null && current.WorkerId != workerId))
        {
            return TaskTransition.Refused("The task is not running on that worker; nothing changed.");
        }

        return LoseWorker(current.Copy(), why, at, onWorker: false);
    }

    public TaskTransition Progress(TaskGrainState current, int attempt, TaskProgress progress, TaskMoment at)
    {
        if (current.Submission is null || current.Status != TaskState.Running || attempt != current.Attempts)
        {
            return TaskTransition.Refused($"The task is {Describe(current)}; progress of attempt {attempt} is not recorded.");
        }

        var next = current.Copy();
        AddEvent(next, TaskEventKind.Progress, progress.Message, progress.Percent, at, onWorker: true);
        if (options.MaxProgressEvents >= 0 && next.History.Count(e => e.Kind == TaskEventKind.Progress) > options.MaxProgressEvents)
        {
            // The history is this transition's own list already: the event above was added to a new one.
            next.History.RemoveAt(next.History.FindIndex(e => e.Kind == TaskEventKind.Progress));
        }

        return Applied("Progress recorded.", next, TaskEffects.None);
    }

    private static TaskTransition? RefuseReport(TaskGrainState current, int attempt, string what)
    {
        if (current.Submission is null)
        {
            return TaskTransition.Refused(NoSuchTask);
        }

        return current.Status != TaskState.Running || attempt != current.Attempts
            ? TaskTransition.Refused($"The task is {current.Status.ToWireName()} at attempt {current.Attempts}; a {what} of attempt {attempt} changes nothing.")
            : null;
    }

    private TaskTransition FailAttempt(TaskGrainState next, TaskError error, TaskMoment at, bool onWorker)
    {
        next.Errors = [.. next.Errors, error];
        next.FailedAttempts++;

        // An attempt that ended with an answer ends a run of lost workers: the poison guard counts losses in a row.
        next.WorkerLosses = 0;
        var retryable = error.Kind is not (TaskErrorKinds.Permanent or TaskErrorKinds.Dependency);
        if (retryable && next.FailedAttempts < next.Submission!.MaxAttempts)
        {
            var delay = RetryBackoff.Compute(next.FailedAttempts, options.RetryBaseDelay, options.RetryMaxDelay, random);
            next.Status = TaskState.Scheduled;
            next.RunAt = at.Now + delay;
            var registered = next.WatchdogRegistered;
            next.WatchdogRegistered = true;
            AddEvent(next, TaskEventKind.Transition, $"attempt {error.Attempt} failed ({error.Kind}: {error.Message}); retry in {delay.TotalMilliseconds:F0} ms", null, at, onWorker);
            var effects = TaskEffects.StopRunTimers | TaskEffects.ArmWake | TaskEffects.RemoveRecord | (registered ? TaskEffects.None : TaskEffects.RegisterWatchdog);
            return Applied($"Attempt {error.Attempt} failed; the task is scheduled.", next, effects) with { FailedAttempt = error };
        }

        var why = retryable ? $"attempt {error.Attempt} of {next.Submission!.MaxAttempts} failed" : $"attempt {error.Attempt} failed permanently";
        Finish(next, TaskState.Failed, $"{why} ({error.Kind}: {error.Message})", at, onWorker);
        return Applied($"Attempt {error.Attempt} failed; the task is failed.", next, FinishedFor(next)) with { FailedAttempt = error };
    }

    /// <summary>A graceful stop gave the attempt back: not the task's fault and not a lost worker, so nothing is counted.</summary>
    private static TaskTransition HandBack(TaskGrainState next, string why, TaskMoment at)
    {
        next.Errors = [.. next.Errors, new TaskError { Kind = TaskErrorKinds.HandedBack, Message = why, Attempt = next.Attempts, At = at.Now }];
        var transition = MakePending(next, $"handed back by {next.WorkerId}: {why}", at, "The task is pending again.", onWorker: true);
        return transition with { Effects = transition.Effects | TaskEffects.StopRunTimers };
    }

    private TaskTransition LoseWorker(TaskGrainState next, string why, TaskMoment at, bool onWorker)
    {
        next.Errors = [.. next.Errors, new TaskError { Kind = TaskErrorKinds.WorkerLost, Message = why, Attempt = next.Attempts, At = at.Now }];
        next.WorkerLosses++;
        if (next.WorkerLosses >= options.MaxWorkerLosses)
        {
            Finish(next, TaskState.Failed, $"{why}; lost its worker {next.WorkerLosses} times in a row, giving up", at, onWorker);
            return Applied("The task lost its worker too often and failed.", next, FinishedFor(next));
        }

        var transition = MakePending(next, why, at, "The task is pending again.", onWorker);
        return transition with { Effects = transition.Effects | TaskEffects.StopRunTimers };
    }
}
