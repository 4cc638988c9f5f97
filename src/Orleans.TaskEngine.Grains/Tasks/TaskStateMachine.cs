using Orleans.TaskEngine.Callbacks;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The rules of one task, with no Orleans in them: for each command, whether it applies in the current state, the
/// next state, and the effects the grain must carry out around the write (<see cref="TaskEffects"/>). It never
/// changes the state it is given: a transition's next state is a copy, so what callers see stays the stored state
/// until the write succeeds.
/// <code>
/// state       --command (guard)--------------------------------> next        effects
/// (exists)    --Submit-----------------------------------------> same        (refused: the grain answers AlreadyExists)
/// (none)      --Submit (ready)---------------------------------> pending     ready record, [grain: queue first]
/// (none)      --Submit (run-at or dependencies)----------------> scheduled   watchdog; subscribe or wake timer
/// (exists)    --AddDependent (unfinished, new dependent)-------> same        (write only)
/// scheduled   --Wake (no dependency left, run-at passed)-------> pending     ready record, enqueue
/// scheduled   --DependencyFinished (completed, none left)------> pending     ready record, enqueue
/// scheduled   --DependencyFinished (completed, some left)------> scheduled   (write only)
/// scheduled   --DependencyFinished (failed/cancelled/missing)--> failed      announce finished
/// pending     --Start----------------------------------------> running     run timers
/// running     --Complete (this attempt)------------------------> completed   announce finished
/// running     --Fail (this attempt, retryable, attempts left)--> scheduled   watchdog, remove record, wake timer
/// running     --Fail (this attempt, permanent or last)---------> failed      announce finished
/// running     --Fail handed_back (this attempt)----------------> pending     ready record, enqueue (counts nothing)
/// running     --Fail worker_lost / WorkerLost (its worker)-----> pending     ready record, enqueue (counts a loss)
/// running     --... the same, MaxWorkerLosses in a row---------> failed      announce finished
/// running     --Timeout--------------------------------------> as Fail (timeout), and cancel on the worker
/// running     --Progress (this attempt)------------------------> running     (write only)
/// scheduled | pending | running --Cancel-----------------------> cancelled   dequeue or cancel on worker, announce
/// failed | cancelled --Retry-----------------------------------> pending     ready record, enqueue
/// completed | failed | cancelled --Expire (retention over, no callback pending)--> (none)  purge
/// (any finish, with a callbackUrl)-----------------------------> +callback  watchdog, deliver callback
/// completed | failed | cancelled --CallbackAttempted (2xx)----> same        (write: delivered)
/// completed | failed | cancelled --CallbackAttempted (failed)-> same        deliver callback later, or (last attempt) given up
/// </code>
/// Every other command is refused: nothing changes, and the refusal says why. Finished tasks ignore late reports.
/// </summary>
public sealed partial class TaskStateMachine(TaskOptions options, Random random)
{
    private const string NoSuchTask = "No such task.";

    public TaskTransition Submit(TaskGrainState current, string taskId, TaskSubmission submission, TaskMoment at)
    {
        if (current.Submission is not null)
        {
            return TaskTransition.Refused("A task with this id exists already.");
        }

        var runAt = submission.RunAt ?? (submission.DelaySeconds is > 0 ? at.Now.AddSeconds(submission.DelaySeconds.Value) : null);
        var next = new TaskGrainState
        {
            Submission = submission,
            CreatedAt = at.Now,
            RunAt = runAt > at.Now ? runAt : null,
            WaitingOn = [.. submission.DependsOn.Distinct(StringComparer.Ordinal)],
            QueueSequence = at.Now.UtcTicks,
        };

        if (next.WaitingOn.Contains(taskId))
        {
            return TaskTransition.Refused($"Task {taskId} cannot depend on itself.");
        }

        if (next.RunAt is null && next.WaitingOn.Count == 0)
        {
            next.Status = TaskState.Pending;
            AddEvent(next, TaskEventKind.Transition, "submitted", null, at, onWorker: false);
            return Applied("The task is pending.", next, TaskEffects.SaveReadyRecord);
        }

        next.Status = TaskState.Scheduled;
        next.WatchdogRegistered = true;
        var waits = next.WaitingOn.Count > 0;
        AddEvent(next, TaskEventKind.Transition, waits ? $"waiting for {string.Join(", ", next.WaitingOn)}" : $"scheduled for {next.RunAt:O}", null, at, onWorker: false);
        return Applied("The task is scheduled.", next, TaskEffects.RegisterWatchdog | (waits ? TaskEffects.SubscribeToDependencies : TaskEffects.ArmWake));
    }

    public TaskTransition AddDependent(TaskGrainState current, string dependentTaskId)
    {
        if (current.Submission is null)
        {
            return TaskTransition.Refused(NoSuchTask);
        }

        if (current.Status.IsTerminal() || current.Dependents.Contains(dependentTaskId))
        {
            return TaskTransition.Refused($"The task is {current.Status.ToWireName()}; nothing to record.");
        }

        var next = current.Copy();
        next.Dependents = [.. next.Dependents, dependentTaskId];
        return Applied($"Task {dependentTaskId} will be told when this one finishes.", next, TaskEffects.None);
    }

    public TaskTransition Wake(TaskGrainState current, TaskMoment at)
    {
        if (current.Status != TaskState.Scheduled || current.Submission is null)
        {
            return TaskTransition.Refused($"The task is {Describe(current)}; only a scheduled task wakes.");
        }

        if (current.WaitingOn.Count > 0)
        {
            return TaskTransition.Refused($"The task still waits for {string.Join(", ", current.WaitingOn)}.");
        }

        if (current.RunAt is { } runAt && runAt > at.Now)
        {
            return TaskTransition.Refused($"The task is scheduled for {runAt:O}.");
        }

        var next = current.Copy();
        return MakePending(next, "ready", at, "The task is pending.");
    }

    public TaskTransition DependencyFinished(TaskGrainState current, string dependencyTaskId, TaskState? status, TaskMoment at)
    {
        if (current.Status != TaskState.Scheduled || current.Submission is null || !current.WaitingOn.Contains(dependencyTaskId))
        {
            return TaskTransition.Refused($"The task is {Describe(current)} and does not wait for {dependencyTaskId}.");
        }

        var next = current.Copy();
        if (status == TaskState.Completed)
        {
            next.WaitingOn = [.. next.WaitingOn.Where(id => id != dependencyTaskId)];
            if (next.WaitingOn.Count > 0)
            {
                return Applied($"Dependency {dependencyTaskId} completed; {next.WaitingOn.Count} left.", next, TaskEffects.None);
            }

            if (next.RunAt is { } runAt && runAt > at.Now)
            {
                AddEvent(next, TaskEventKind.Transition, $"dependencies completed; scheduled for {runAt:O}", null, at, onWorker: false);
                return Applied("The task's dependencies completed.", next, TaskEffects.ArmWake);
            }

            return MakePending(next, "dependencies completed", at, "The task is pending.");
        }

        var why = status is null ? $"dependency {dependencyTaskId} does not exist" : $"dependency {dependencyTaskId} is {status.Value.ToWireName()}";
        next.Errors = [.. next.Errors, new TaskError { Kind = TaskErrorKinds.Dependency, Message = why, Attempt = next.Attempts, At = at.Now }];
        Finish(next, TaskState.Failed, why, at, onWorker: false);
        return Applied($"The task failed: {why}.", next, FinishedFor(next));
    }

    public TaskTransition Start(TaskGrainState current, string workerId, string silo, TaskMoment at)
    {
        if (current.Submission is null)
        {
            return TaskTransition.Refused(NoSuchTask);
        }

        if (current.Status != TaskState.Pending)
        {
            return TaskTransition.Refused($"The task is {current.Status.ToWireName()}; only a pending task starts.");
        }

        var next = current.Copy();
        next.Attempts++;
        next.Status = TaskState.Running;
        next.WorkerId = workerId;
        next.Silo = silo;
        next.StartedAt = at.Now;
        AddEvent(next, TaskEventKind.Transition, $"started by {workerId}", null, at, onWorker: true);
        return Applied("The attempt started.", next, TaskEffects.ArmRunTimers);
    }

    public TaskTransition Cancel(TaskGrainState current, string? reason, TaskMoment at)
    {
        if (current.Submission is null)
        {
            return TaskTransition.Refused(NoSuchTask);
        }

        if (current.Status.IsTerminal())
        {
            return TaskTransition.Refused($"The task is already {current.Status.ToWireName()}; cancelling changes nothing.");
        }

        var next = current.Copy();
        Finish(next, TaskState.Cancelled, reason is { Length: > 0 } ? $"cancelled: {reason}" : "cancelled by caller", at, onWorker: false);
        var transition = Applied($"The task was {current.Status.ToWireName()} and is now cancelled.", next, FinishedFor(next));
        return current.Status switch
        {
            TaskState.Pending => transition with { Effects = transition.Effects | TaskEffects.Dequeue },
            TaskState.Running when current.WorkerId is { } workerId => transition with
            {
                Effects = transition.Effects | TaskEffects.CancelOnWorker,
                Cancel = new WorkerCancellation(workerId, current.Attempts, "cancelled"),
            },
            _ => transition,
        };
    }

    public TaskTransition Retry(TaskGrainState current, TaskMoment at)
    {
        if (current.Submission is null)
        {
            return TaskTransition.Refused(NoSuchTask);
        }

        if (current.Status is not (TaskState.Failed or TaskState.Cancelled))
        {
            return TaskTransition.Refused($"Only a failed or cancelled task can be retried; this one is {current.Status.ToWireName()}.");
        }

        var next = current.Copy();
        next.FailedAttempts = 0;
        next.WorkerLosses = 0;
        next.FinishedAt = null;
        next.ExpiresAt = null;
        next.Result = null;

        // The callback of the finish before is dropped: the run that follows ends in a finish of its own, with its own callback.
        next.Callback = null;
        return MakePending(next, "retried by caller", at, "The task is pending again.");
    }

    /// <summary>The queue index lists the task as expired: it is purged once it is finished and its retention is over.</summary>
    public TaskTransition Expire(TaskGrainState current, TaskMoment at)
    {
        if (current.Submission is null || !current.Status.IsTerminal() || current.ExpiresAt > at.Now || current.CallbackPending)
        {
            // A task retried since the index listed it is unfinished again (and its record says so): nothing to do.
            return TaskTransition.Refused(current.CallbackPending
                ? "The task's completion callback is not delivered yet; it is kept until it is (or is given up)."
                : $"The task is {Describe(current)} and not past its retention.");
        }

        return Applied("The task's retention is over.", new TaskGrainState(), TaskEffects.Purge);
    }

    private const TaskEffects Finished = TaskEffects.StopRunTimers | TaskEffects.ArmWake | TaskEffects.AnnounceFinished;

    /// <summary>
    /// A finish with a callback to deliver also registers the watchdog before the write: a crash before the callback is
    /// delivered leaves a reminder that wakes the task to deliver it.
    /// </summary>
    private static TaskEffects FinishedFor(TaskGrainState next) =>
        next.CallbackPending ? Finished | TaskEffects.RegisterWatchdog | TaskEffects.DeliverCallback : Finished;

    private static TaskTransition MakePending(TaskGrainState next, string why, TaskMoment at, string message, bool onWorker = false)
    {
        next.Status = TaskState.Pending;
        next.RunAt = null;
        next.QueueSequence = at.Now.UtcTicks;
        AddEvent(next, TaskEventKind.Transition, why, null, at, onWorker);
        return Applied(message, next, TaskEffects.SaveReadyRecord | TaskEffects.Enqueue | TaskEffects.ArmWake);
    }

    private void Finish(TaskGrainState next, TaskState status, string why, TaskMoment at, bool onWorker)
    {
        next.Status = status;
        next.FinishedAt = at.Now;
        next.ExpiresAt = at.Now + options.Retention;
        next.RunAt = null;
        if (next.Submission!.CallbackUrl is not null)
        {
            next.Callback = new CallbackDelivery { DeliveryId = NewDeliveryId(), NextAttemptAt = at.Now };
            next.WatchdogRegistered = true;
        }

        AddEvent(next, TaskEventKind.Transition, why, null, at, onWorker);
    }

    /// <summary>
    /// Records an event. The worker is the one that ran the current attempt; the silo is where the event happened:
    /// the worker's silo for what a worker did or reported, the task grain's otherwise.
    /// </summary>
    private static void AddEvent(TaskGrainState next, TaskEventKind kind, string? message, double? percent, TaskMoment at, bool onWorker) =>
        next.History = [.. next.History, new TaskEvent
        {
            Sequence = ++next.LastSequence,
            Kind = kind,
            Status = next.Status,
            At = at.Now,
            Attempt = next.Attempts,
            WorkerId = next.WorkerId,
            Silo = onWorker ? next.Silo : at.Silo,
            Message = message,
            Percent = percent,
            Actor = at.Actor,

            // An error this transition recorded carries this moment.
            ErrorKind = next.Errors.Count > 0 && next.Errors[^1].At == at.Now ? next.Errors[^1].Kind : null,
        }];

    private static TaskTransition Applied(string message, TaskGrainState next, TaskEffects effects) =>
        new() { Applied = true, Message = message, Next = next, Effects = effects };

    private static string Describe(TaskGrainState state) => state.Submission is null ? "unknown" : state.Status.ToWireName();
}
