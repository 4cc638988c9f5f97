using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>Every kind of rule, without a cluster: it fires, stays firing without a new transition, and resolves.</summary>
public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static AlertRule Rule(string kind, string? queue = null, double? threshold = null, TimeSpan? window = null, int? minCount = null)
    {
        Assert.True(AlertRule.TryParse("r", new AlertRuleOptions { Kind = kind, Queue = queue, Threshold = threshold, Window = window, MinCount = minCount }, out var rule, out var errors), string.Join(" ", errors));
        return rule;
    }

    private static QueueStatus Queue(string name, int pending = 0, DateTimeOffset? oldest = null, params string[] workers) =>
        new() { Queue = name, Pending = pending, OldestPendingSince = oldest, Workers = workers };

    private static AlertInputs Queues(DateTimeOffset now, params QueueStatus[] queues) => new() { Now = now, Queues = queues, DeadSilos = [] };

    /// <summary>Runs the inputs in order; returns the transitions of each step and the last book.</summary>
    private static (List<IReadOnlyList<AlertStatus>> Steps, AlertBook Book) Run(AlertRule rule, params AlertInputs[] inputs)
    {
        var book = new AlertBook();
        var steps = new List<IReadOnlyList<AlertStatus>>();
        foreach (var input in inputs)
        {
            var evaluation = AlertEvaluator.Evaluate([rule], book, input);
            steps.Add(evaluation.Transitions);
            book = evaluation.Book;
        }

        return (steps, book);
    }

    private static void AssertFiresStaysResolves(List<IReadOnlyList<AlertStatus>> steps, int fireAt = 1)
    {
        for (var i = 0; i < fireAt; i++)
        {
            Assert.Empty(steps[i]);
        }

        var fired = Assert.Single(steps[fireAt]);
        Assert.Equal(AlertState.Firing, fired.State);
        Assert.Empty(steps[fireAt + 1]);
        var resolved = Assert.Single(steps[fireAt + 2]);
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.True(resolved.Since > fired.Since);
        Assert.All(steps.Skip(fireAt + 3), Assert.Empty);
    }

    [Fact]
    public void QueueDepth_fires_above_the_threshold_and_resolves_at_or_below_it()
    {
        var (steps, book) = Run(Rule("QueueDepth", "q", threshold: 2),
            Queues(T0, Queue("q", 2)), Queues(T0.AddSeconds(1), Queue("q", 3), Queue("other", 99)), Queues(T0.AddSeconds(2), Queue("q", 5)),
            Queues(T0.AddSeconds(3), Queue("q", 2)), Queues(T0.AddSeconds(4), Queue("q", 0)));
        AssertFiresStaysResolves(steps);
        var alert = book.Alerts["r"];
        Assert.Equal(T0.AddSeconds(3), alert.Since);
        Assert.Equal("QueueDepth", alert.Labels["kind"]);
        Assert.Equal("q", alert.Labels["queue"]);
        Assert.Contains("queue q", steps[1][0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QueueDepth_without_a_queue_fires_for_any_queue_and_names_it()
    {
        var (steps, _) = Run(Rule("QueueDepth", threshold: 0),
            Queues(T0), Queues(T0.AddSeconds(1), Queue("a", 1)), Queues(T0.AddSeconds(2), Queue("a", 0), Queue("b", 4)), Queues(T0.AddSeconds(3)));
        AssertFiresStaysResolves(steps);
        Assert.Equal("*", steps[1][0].Labels["queue"]);
    }

    [Fact]
    public void OldestPending_fires_when_the_oldest_task_waited_longer_than_the_window()
    {
        var window = TimeSpan.FromSeconds(30);
        var (steps, _) = Run(Rule("OldestPending", "q", window: window),
            Queues(T0, Queue("q", 1, T0.AddSeconds(-30))), Queues(T0.AddSeconds(1), Queue("q", 1, T0.AddSeconds(-30))),
            Queues(T0.AddSeconds(2), Queue("q", 1, T0.AddSeconds(-30))), Queues(T0.AddSeconds(3), Queue("q")));
        AssertFiresStaysResolves(steps);
        Assert.Contains("31 s", steps[1][0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoWorker_on_a_named_queue_fires_without_tasks_and_resolves_when_an_agent_serves_it()
    {
        var (steps, _) = Run(Rule("NoWorker", "q"),
            Queues(T0, Queue("q", 0, null, "agent-1")), Queues(T0.AddSeconds(1), Queue("q")), Queues(T0.AddSeconds(2), Queue("q", 3)),
            Queues(T0.AddSeconds(3), Queue("q", 3, null, "agent-1")));
        AssertFiresStaysResolves(steps);
    }

    [Fact]
    public void NoWorker_on_every_queue_needs_pending_tasks_and_waits_out_its_window()
    {
        var rule = Rule("NoWorker", window: TimeSpan.FromSeconds(10));
        var (steps, _) = Run(rule,
            Queues(T0, Queue("idle")), Queues(T0.AddSeconds(1), Queue("q", 1)), Queues(T0.AddSeconds(11), Queue("q", 1)),
            Queues(T0.AddSeconds(12), Queue("q", 1)), Queues(T0.AddSeconds(13), Queue("q", 1, null, "w")));
        AssertFiresStaysResolves(steps, fireAt: 2);
    }

    [Fact]
    public void A_named_queue_that_could_not_be_read_keeps_the_alert_as_it_is()
    {
        var rule = Rule("NoWorker", "q");
        var fired = AlertEvaluator.Evaluate([rule], new AlertBook(), Queues(T0, Queue("q")));
        Assert.Single(fired.Transitions);
        Assert.Empty(AlertEvaluator.Evaluate([rule], fired.Book, new AlertInputs { Now = T0.AddSeconds(1), Queues = null }).Transitions);
        Assert.Empty(AlertEvaluator.Evaluate([rule], fired.Book, Queues(T0.AddSeconds(1))).Transitions);
    }

    private static AlertInputs Finished(DateTimeOffset now, TimeSpan window, params (string Queue, int Completed, int Failed)[] queues) => new()
    {
        Now = now,
        Finished = new Dictionary<TimeSpan, IReadOnlyDictionary<string, FinishedCounts>>
        {
            [window] = queues.ToDictionary(q => q.Queue, q => new FinishedCounts(q.Completed, q.Failed)),
        },
    };

    [Fact]
    public void FailureRatio_fires_above_the_ratio_and_ignores_windows_with_too_few_tasks()
    {
        var window = TimeSpan.FromMinutes(5);
        var (steps, book) = Run(Rule("FailureRatio", "q", threshold: 0.5, minCount: 3),
            Finished(T0, window, ("q", 0, 2)), Finished(T0.AddSeconds(1), window, ("q", 1, 2), ("other", 0, 0)),
            Finished(T0.AddSeconds(2), window, ("q", 1, 3)), Finished(T0.AddSeconds(3), window, ("q", 3, 3)),
            new AlertInputs { Now = T0.AddSeconds(4) });
        AssertFiresStaysResolves(steps);
        Assert.Contains("2 of 3", steps[1][0].Message, StringComparison.Ordinal);
        Assert.Equal(AlertState.Resolved, book.Alerts["r"].State);
    }

    [Fact]
    public void FailureRatio_without_a_queue_counts_every_queue_together()
    {
        var window = TimeSpan.FromMinutes(1);
        var (steps, _) = Run(Rule("FailureRatio", threshold: 0.2, window: window),
            Finished(T0, window, ("a", 5, 0), ("b", 4, 1)), Finished(T0.AddSeconds(1), window, ("a", 3, 1), ("b", 0, 1)),
            Finished(T0.AddSeconds(2), window, ("a", 3, 1), ("b", 0, 1)), Finished(T0.AddSeconds(3), window, ("a", 9, 1), ("b", 0, 1)));
        AssertFiresStaysResolves(steps);
    }

    private static AlertInputs Members(DateTimeOffset now, string[] dead, params string[] live) => new() { Now = now, DeadSilos = dead, LiveSilos = live };

    [Fact]
    public void SiloDead_fires_on_a_new_death_and_resolves_once_the_window_passed()
    {
        var window = TimeSpan.FromSeconds(30);
        var (steps, _) = Run(Rule("SiloDead", window: window),
            Members(T0, [], "10.0.0.1:11111@1", "10.0.0.2:11111@1"), Members(T0.AddSeconds(1), ["10.0.0.2:11111@1"], "10.0.0.1:11111@1"),
            Members(T0.AddSeconds(20), ["10.0.0.2:11111@1"], "10.0.0.1:11111@1"), Members(T0.AddSeconds(31), ["10.0.0.2:11111@1"], "10.0.0.1:11111@1"),
            Members(T0.AddSeconds(60), ["10.0.0.2:11111@1"], "10.0.0.1:11111@1"));
        AssertFiresStaysResolves(steps);
        Assert.Contains("10.0.0.2:11111@1", steps[1][0].Message, StringComparison.Ordinal);
        Assert.False(steps[1][0].Labels.ContainsKey("queue"));
    }

    [Fact]
    public void SiloDead_resolves_when_the_silo_is_back_and_ignores_deaths_from_before_the_first_read()
    {
        var (steps, _) = Run(Rule("SiloDead"),
            Members(T0, ["10.0.0.9:11111@1"], "10.0.0.1:11111@1"), Members(T0.AddSeconds(1), ["10.0.0.9:11111@1", "10.0.0.2:11111@1"], "10.0.0.1:11111@1"),
            Members(T0.AddSeconds(2), ["10.0.0.9:11111@1", "10.0.0.2:11111@1"], "10.0.0.1:11111@1"),
            Members(T0.AddSeconds(3), ["10.0.0.9:11111@1", "10.0.0.2:11111@1"], "10.0.0.1:11111@1", "10.0.0.2:11111@2"));
        AssertFiresStaysResolves(steps);
    }

    [Fact]
    public void A_second_trip_after_resolving_is_a_new_firing_and_a_removed_rule_takes_its_alert_away()
    {
        var rule = Rule("QueueDepth", "q", threshold: 0);
        var (steps, book) = Run(rule, Queues(T0, Queue("q", 1)), Queues(T0.AddSeconds(1), Queue("q")), Queues(T0.AddSeconds(2), Queue("q", 1)));
        Assert.Equal([AlertState.Firing, AlertState.Resolved, AlertState.Firing], steps.Select(s => Assert.Single(s).State));
        var removed = AlertEvaluator.Evaluate([], book, Queues(T0.AddSeconds(3)));
        Assert.Empty(removed.Book.Alerts);
        Assert.True(removed.Changed);
    }
}
