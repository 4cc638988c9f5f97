using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Tasks;

/// <summary>
/// The task's rules without a cluster: every state × every command, refusals included, against one expected table;
/// then the effects and counters of the transitions that matter for the guarantees.
/// </summary>
public sealed class TaskStateMachineTests
{
    private const string Id = "task-1";
    private const string Dependency = "dep-1";
    private const string WorkerA = "silo-a/default/0";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    // Commands are given an hour after the state was made: past any run-at time, within the retention (2 h).
    private static readonly TaskMoment Later = new(T0.AddHours(1), "silo-b");
    private static readonly TaskOptions Options = new() { Retention = TimeSpan.FromHours(2), MaxWorkerLosses = 5 };
    private readonly TaskStateMachine _machine = new(Options, new Random(1));

    public static readonly string[] States = ["none", "scheduled", "waiting", "pending", "running", "completed", "failed", "cancelled"];

    public static readonly string[] Commands =
    [
        "Submit", "AddDependent", "Wake", "DependencyCompleted", "DependencyFailed", "Start", "Complete", "CompleteOtherAttempt",
        "Fail", "FailPermanent", "HandBack", "ReportWorkerLost", "Timeout", "WorkerLost", "WorkerLostOther", "Progress", "Cancel", "Retry", "Expire",
    ];

    /// <summary>The next status of each state under each command; null: refused, nothing changes.</summary>
    private static readonly Dictionary<(string State, string Command), TaskState?> Expected = Table();

    public static TheoryData<string, string> Everything()
    {
        var data = new TheoryData<string, string>();
        foreach (var state in States)
        {
            foreach (var command in Commands)
            {
                data.Add(state, command);
            }
        }

        return data;
    }

    [Fact]
    public void The_expected_table_covers_every_state_and_command()
    {
        Assert.Equal(States.Length * Commands.Length, Expected.Count);
    }

    [Theory]
    [MemberData(nameof(Everything))]
    public void Every_state_and_command_does_what_the_table_says_and_never_changes_the_state_it_is_given(string state, string command)
    {
        var current = Make(state);
        var before = Fingerprint(current);

        var transition = Run(command, current);

        Assert.Equal(before, Fingerprint(current));
        var expected = Expected[(state, command)];
        if (expected is null)
        {
            Assert.False(transition.Applied, $"{state} --{command}--> should be refused, was applied: {transition.Message}");
            Assert.Null(transition.Next);
            Assert.False(string.IsNullOrWhiteSpace(transition.Message));
            return;
        }

        Assert.True(transition.Applied, $"{state} --{command}--> refused: {transition.Message}");
        Assert.NotSame(current, transition.Next);
        Assert.Equal(expected, transition.Next!.Status);
    }

    [Fact]
    public void A_ready_submit_becomes_pending_with_its_index_record_written_first()
    {
        var t = _machine.Submit(new TaskGrainState(), Id, new TaskSubmission { Type = "echo" }, Later);
        Assert.Equal(TaskState.Pending, t.Next!.Status);
        Assert.Equal(TaskEffects.SaveReadyRecord, t.Effects);
        Assert.Equal(Later.Now.UtcTicks, t.Next.QueueSequence);
        Assert.Equal("submitted", t.Next.History.Single().Message);
    }

    [Fact]
    public void A_delayed_or_waiting_submit_registers_its_watchdog_before_it_is_stored()
    {
        var delayed = _machine.Submit(new TaskGrainState(), Id, new TaskSubmission { Type = "echo", DelaySeconds = 60 }, Later);
        Assert.Equal(TaskEffects.RegisterWatchdog | TaskEffects.ArmWake, delayed.Effects);
        Assert.True(delayed.Next!.WatchdogRegistered);
        Assert.Equal(Later.Now.AddSeconds(60), delayed.Next.RunAt);

        var waiting = _machine.Submit(new TaskGrainState(), Id, new TaskSubmission { Type = "echo", DependsOn = [Dependency, Dependency] }, Later);
        Assert.Equal(TaskEffects.RegisterWatchdog | TaskEffects.SubscribeToDependencies, waiting.Effects);
        Assert.Equal([Dependency], waiting.Next!.WaitingOn);
    }

    [Fact]
    public void A_task_that_depends_on_itself_is_refused()
    {
        var t = _machine.Submit(new TaskGrainState(), Id, new TaskSubmission { Type = "echo", DependsOn = [Id] }, Later);
        Assert.False(t.Applied);
        Assert.Contains("itself", t.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_start_counts_an_attempt_and_arms_the_run_timers_with_the_event_on_the_workers_silo()
    {
        var t = _machine.Start(Make("pending"), WorkerA, "silo-a", Later);
        Assert.Equal(1, t.Next!.Attempts);
        Assert.Equal(WorkerA, t.Next.WorkerId);
        Assert.Equal(TaskEffects.ArmRunTimers, t.Effects);
        Assert.Equal("silo-a", t.Next.History[^1].Silo);
    }

    [Fact]
    public void A_failed_attempt_with_attempts_left_waits_for_its_retry_without_an_unfinished_index_record()
    {
        var running = Make("running");
        var t = _machine.Fail(running, 1, new TaskError { Kind = TaskErrorKinds.Error, Message = "boom" }, Later);
        Assert.Equal(TaskState.Scheduled, t.Next!.Status);
        Assert.True(t.Has(TaskEffects.RemoveRecord | TaskEffects.StopRunTimers | TaskEffects.ArmWake | TaskEffects.RegisterWatchdog));
        Assert.InRange(t.Next.RunAt!.Value, Later.Now + Options.RetryBaseDelay / 2, Later.Now + Options.RetryBaseDelay);
        Assert.Equal(1, t.Next.FailedAttempts);
        Assert.Equal(TaskErrorKinds.Error, t.FailedAttempt!.Kind);
    }

    [Fact]
    public void The_last_attempt_or_a_permanent_error_fails_the_task_and_announces_it()
    {
        var last = Make("running", new TaskSubmission { Type = "echo", MaxAttempts = 1 });
        var t = _machine.Fail(last, 1, new TaskError { Kind = TaskErrorKinds.Error, Message = "boom" }, Later);
        Assert.Equal(TaskState.Failed, t.Next!.Status);
        Assert.True(t.Has(TaskEffects.AnnounceFinished));
        Assert.Equal(Later.Now + Options.Retention, t.Next.ExpiresAt);

        var permanent = _machine.Fail(Make("running"), 1, new TaskError { Kind = TaskErrorKinds.Permanent, Message = "bad" }, Later);
        Assert.Equal(TaskState.Failed, permanent.Next!.Status);
    }

    [Fact]
    public void A_timeout_fails_the_attempt_as_timeout_and_cancels_the_handler_on_its_worker()
    {
        var t = _machine.Timeout(Make("running"), Later);
        Assert.Equal(TaskErrorKinds.Timeout, t.Next!.Errors[^1].Kind);
        Assert.True(t.Has(TaskEffects.CancelOnWorker));
        Assert.Equal(new WorkerCancellation(WorkerA, 1, "timeout"), t.Cancel);
    }

    [Fact]
    public void Handing_back_counts_neither_an_attempt_nor_a_lost_worker_however_often_it_happens()
    {
        var state = Make("running");
        for (var i = 0; i < Options.MaxWorkerLosses * 3; i++)
        {
            var back = _machine.Fail(state, state.Attempts, new TaskError { Kind = TaskErrorKinds.HandedBack, Message = "worker stopping" }, Later);
            Assert.Equal(TaskState.Pending, back.Next!.Status);
            Assert.True(back.Has(TaskEffects.SaveReadyRecord | TaskEffects.Enqueue | TaskEffects.StopRunTimers));
            state = _machine.Start(back.Next, WorkerA, "silo-a", Later).Next!;
        }

        Assert.Equal(0, state.WorkerLosses);
        Assert.Equal(0, state.FailedAttempts);
        Assert.Equal(TaskState.Running, state.Status);
    }

    [Fact]
    public void The_poison_guard_counts_lost_workers_in_a_row_and_a_real_attempt_result_resets_it()
    {
        var state = Make("running", new TaskSubmission { Type = "echo", MaxAttempts = 10 });
        state = LoseWorkers(state, Options.MaxWorkerLosses - 1);
        state = _machine.Fail(state, state.Attempts, new TaskError { Kind = TaskErrorKinds.Error, Message = "boom" }, Later).Next!;
        Assert.Equal(0, state.WorkerLosses);
        state = _machine.Wake(state, new TaskMoment(Later.Now.AddHours(1), "silo-b")).Next!;
        state = _machine.Start(state, WorkerA, "silo-a", Later).Next!;
        state = LoseWorkers(state, Options.MaxWorkerLosses - 1);
        Assert.Equal(TaskState.Running, state.Status);

        var last = _machine.WorkerLost(state, WorkerA, "gone", Later);
        Assert.Equal(TaskState.Failed, last.Next!.Status);
        Assert.Equal(1, last.Next.FailedAttempts);
        Assert.Contains("in a row", last.Next.History[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelling_a_pending_task_takes_it_out_of_its_queue_and_a_running_one_cancels_its_handler()
    {
        Assert.True(_machine.Cancel(Make("pending"), null, Later).Has(TaskEffects.Dequeue | TaskEffects.AnnounceFinished));
        var running = _machine.Cancel(Make("running"), "no longer needed", Later);
        Assert.Equal(new WorkerCancellation(WorkerA, 1, "cancelled"), running.Cancel);
        Assert.Equal("cancelled: no longer needed", running.Next!.History[^1].Message);
    }

    [Fact]
    public void Expire_purges_a_finished_task_only_after_its_retention()
    {
        foreach (var state in new[] { "completed", "failed", "cancelled" })
        {
            var finished = Make(state);
            var after = new TaskMoment(finished.ExpiresAt!.Value, "silo-b");
            var purge = _machine.Expire(finished, after);
            Assert.True(purge.Has(TaskEffects.Purge), state);
            Assert.Null(purge.Next!.Submission);
            Assert.False(_machine.Expire(finished, new TaskMoment(finished.ExpiresAt.Value.AddTicks(-1), "silo-b")).Applied);
        }
    }

    [Fact]
    public void A_retried_task_starts_its_counts_afresh_and_keeps_its_history()
    {
        var failed = Make("failed");
        var t = _machine.Retry(failed, Later);
        Assert.Equal(TaskState.Pending, t.Next!.Status);
        Assert.Equal(0, t.Next.FailedAttempts);
        Assert.Null(t.Next.ExpiresAt);
        Assert.Equal(failed.History.Count + 1, t.Next.History.Count);
        Assert.True(t.Has(TaskEffects.SaveReadyRecord | TaskEffects.Enqueue));
    }

    [Fact]
    public void Progress_takes_the_next_sequence_number_and_only_the_newest_progress_events_are_kept()
    {
        var machine = new TaskStateMachine(new TaskOptions { MaxProgressEvents = 2 }, new Random(1));
        var state = Make("running");
        var last = state.LastSequence;
        for (var i = 0; i < 4; i++)
        {
            state = machine.Progress(state, 1, new TaskProgress { Message = $"step {i}" }, Later).Next!;
        }

        Assert.Equal(last + 4, state.LastSequence);
        Assert.Equal(["step 2", "step 3"], state.History.Where(e => e.Kind == TaskEventKind.Progress).Select(e => e.Message));
    }

    private TaskGrainState LoseWorkers(TaskGrainState state, int times)
    {
        for (var i = 0; i < times; i++)
        {
            state = _machine.WorkerLost(state, WorkerA, "gone", Later).Next!;
            Assert.Equal(TaskState.Pending, state.Status);
            state = _machine.Start(state, WorkerA, "silo-a", Later).Next!;
        }

        return state;
    }

    private TaskTransition Run(string command, TaskGrainState current) => command switch
    {
        "Submit" => _machine.Submit(current, Id, new TaskSubmission { Type = "echo" }, Later),
        "AddDependent" => _machine.AddDependent(current, "dependent-1"),
        "Wake" => _machine.Wake(current, Later),
        "DependencyCompleted" => _machine.DependencyFinished(current, Dependency, TaskState.Completed, Later),
        "DependencyFailed" => _machine.DependencyFinished(current, Dependency, TaskState.Failed, Later),
        "Start" => _machine.Start(current, WorkerA, "silo-a", Later),
        "Complete" => _machine.Complete(current, current.Attempts, "42", Later),
        "CompleteOtherAttempt" => _machine.Complete(current, current.Attempts + 1, "42", Later),
        "Fail" => _machine.Fail(current, current.Attempts, new TaskError { Kind = TaskErrorKinds.Error, Message = "boom" }, Later),
        "FailPermanent" => _machine.Fail(current, current.Attempts, new TaskError { Kind = TaskErrorKinds.Permanent, Message = "bad" }, Later),
        "HandBack" => _machine.Fail(current, current.Attempts, new TaskError { Kind = TaskErrorKinds.HandedBack, Message = "stopping" }, Later),
        "ReportWorkerLost" => _machine.Fail(current, current.Attempts, new TaskError { Kind = TaskErrorKinds.WorkerLost, Message = "stopping" }, Later),
        "Timeout" => _machine.Timeout(current, Later),
        "WorkerLost" => _machine.WorkerLost(current, WorkerA, "gone", Later),
        "WorkerLostOther" => _machine.WorkerLost(current, "silo-z/default/0", "gone", Later),
        "Progress" => _machine.Progress(current, current.Attempts, new TaskProgress { Message = "half", Percent = 0.5 }, Later),
        "Cancel" => _machine.Cancel(current, null, Later),
        "Retry" => _machine.Retry(current, Later),
        "Expire" => _machine.Expire(current, Later),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    /// <summary>A task in the named state, made by the machine itself at <see cref="T0"/>.</summary>
    private TaskGrainState Make(string state, TaskSubmission? submission = null)
    {
        var at = new TaskMoment(T0, "silo-b");
        submission ??= new TaskSubmission { Type = "echo" };
        TaskGrainState Pending() => _machine.Submit(new TaskGrainState(), Id, submission, at).Next!;
        TaskGrainState Running() => _machine.Start(Pending(), WorkerA, "silo-a", at).Next!;
        return state switch
        {
            "none" => new TaskGrainState(),
            "scheduled" => _machine.Submit(new TaskGrainState(), Id, submission with { DelaySeconds = 60 }, at).Next!,
            "waiting" => _machine.Submit(new TaskGrainState(), Id, submission with { DependsOn = [Dependency] }, at).Next!,
            "pending" => Pending(),
            "running" => Running(),
            "completed" => _machine.Complete(Running(), 1, "42", at).Next!,
            "failed" => _machine.Fail(Running(), 1, new TaskError { Kind = TaskErrorKinds.Permanent, Message = "bad" }, at).Next!,
            "cancelled" => _machine.Cancel(Pending(), null, at).Next!,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
    }

    private static string Fingerprint(TaskGrainState s) =>
        $"{s.Status}|{s.Attempts}|{s.FailedAttempts}|{s.WorkerLosses}|{s.History.Count}|{s.Errors.Count}|{s.LastSequence}|{string.Join(",", s.WaitingOn)}|{string.Join(",", s.Dependents)}|{s.RunAt}|{s.ExpiresAt}|{s.Result}|{s.WorkerId}";

    private static Dictionary<(string, string), TaskState?> Table()
    {
        TaskState? refused = null;
        var table = new Dictionary<(string, string), TaskState?>();
        void Row(string state, params TaskState?[] next)
        {
            Assert.Equal(Commands.Length, next.Length);
            for (var i = 0; i < Commands.Length; i++)
            {
                table[(state, Commands[i])] = next[i];
            }
        }

        const TaskState S = TaskState.Scheduled, P = TaskState.Pending, R = TaskState.Running, C = TaskState.Completed, F = TaskState.Failed, X = TaskState.Cancelled;
        //   Submit   AddDep   Wake     DepDone  DepFail  Start    Complete CompOth  Fail     FailPerm HandBack RepLost  Timeout  WLost    WLostOth Progress Cancel   Retry    Expire
        Row("none", P, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused);
        Row("scheduled", refused, S, P, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, X, refused, refused);
        Row("waiting", refused, S, refused, P, F, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, X, refused, refused);
        Row("pending", refused, P, refused, refused, refused, R, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, X, refused, refused);
        Row("running", refused, R, refused, refused, refused, refused, C, refused, S, F, P, P, S, P, refused, R, X, refused, refused);
        Row("completed", refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused);
        Row("failed", refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, P, refused);
        Row("cancelled", refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, refused, P, refused);
        return table;
    }
}
