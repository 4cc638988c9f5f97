using System.Globalization;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Decides each alert's state from one snapshot of the cluster and the previous book, with no cluster, clock or
/// network of its own (the alert grain reads the inputs, writes the book and sends the transitions):
/// <code>
/// none     --(tripped)-->     firing    (a transition)
/// firing   --(tripped)-->     firing    (message refreshed, no transition)
/// firing   --(clear)-->       resolved  (a transition)
/// resolved --(tripped)-->     firing    (a transition)
/// any      --(input unknown)--> unchanged
/// </code>
/// </summary>
public static class AlertEvaluator
{
    public static AlertEvaluation Evaluate(IReadOnlyList<AlertRule> rules, AlertBook previous, AlertInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(inputs);
        var book = previous.Copy();
        var changed = ObserveMembership(book, inputs);
        var transitions = new List<AlertStatus>();
        var names = rules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in book.Alerts.Keys.Concat(book.TrippedSince.Keys).Where(n => !names.Contains(n)).ToList())
        {
            // A rule taken out of the configuration takes its alert with it.
            changed |= book.Alerts.Remove(gone) | book.TrippedSince.Remove(gone);
        }

        foreach (var rule in rules)
        {
            var (tripped, message) = Check(rule, book, inputs);
            if (tripped is null)
            {
                continue;
            }

            if (rule.Kind == AlertKind.NoWorker)
            {
                (tripped, changed) = Grace(rule, book, inputs.Now, tripped.Value, changed);
            }

            var before = book.Alerts.GetValueOrDefault(rule.Name);
            if (tripped.Value && before?.State != AlertState.Firing)
            {
                transitions.Add(book.Alerts[rule.Name] = new AlertStatus { Name = rule.Name, State = AlertState.Firing, Since = inputs.Now, Message = message, Labels = rule.Labels });
            }
            else if (tripped.Value)
            {
                book.Alerts[rule.Name] = before! with { Message = message };
            }
            else if (before?.State == AlertState.Firing)
            {
                transitions.Add(book.Alerts[rule.Name] = before with { State = AlertState.Resolved, Since = inputs.Now, Message = message });
            }
        }

        return new AlertEvaluation(book, transitions, changed || transitions.Count > 0);
    }

    private static (bool? Tripped, string Message) Check(AlertRule rule, AlertBook book, AlertInputs inputs) => rule.Kind switch
    {
        AlertKind.FailureRatio => FailureRatio(rule, inputs),
        AlertKind.QueueDepth => Queues(rule, inputs, q => q.Pending > rule.Threshold,
            q => $"queue {q.Queue} has {N(q.Pending)} pending tasks (more than {N(rule.Threshold)})",
            $"no queue has more than {N(rule.Threshold)} pending tasks"),
        AlertKind.OldestPending => Queues(rule, inputs, q => inputs.Now - q.OldestPendingSince > rule.Window,
            q => $"the oldest pending task of queue {q.Queue} has waited {Span(inputs.Now - q.OldestPendingSince!.Value)} (longer than {Span(rule.Window)})",
            $"no pending task has waited longer than {Span(rule.Window)}"),
        AlertKind.NoWorker => Queues(rule, inputs, q => q.Workers.Count == 0 && (rule.Queue is not null || q.Pending > 0),
            q => $"no live worker or agent serves queue {q.Queue} ({N(q.Pending)} pending)",
            "every watched queue has a live worker or agent"),
        AlertKind.SiloDead => SiloDead(rule, book, inputs),
        _ => (null, string.Empty),
    };

    private static (bool?, string) FailureRatio(AlertRule rule, AlertInputs inputs)
    {
        if (!inputs.Finished.TryGetValue(rule.Window, out var byQueue))
        {
            return (null, string.Empty);
        }

        var counts = byQueue.Where(q => rule.Queue is null || q.Key == rule.Queue).Select(q => q.Value)
            .Aggregate(new FinishedCounts(0, 0), (sum, c) => new FinishedCounts(sum.Completed + c.Completed, sum.Failed + c.Failed));
        var where = rule.Queue is null ? "in all queues" : $"in queue {rule.Queue}";
        if (counts.Total < rule.MinCount)
        {
            return (false, $"{N(counts.Total)} tasks finished {where} in the last {Span(rule.Window)}, fewer than the {N(rule.MinCount)} the ratio needs");
        }

        var ratio = (double)counts.Failed / counts.Total;
        var tripped = ratio > rule.Threshold;
        return (tripped, $"{N(counts.Failed)} of {N(counts.Total)} tasks finished {where} in the last {Span(rule.Window)} failed ({R(ratio)}, {(tripped ? "above" : "at most")} {R(rule.Threshold)})");
    }

    /// <summary>A queue rule: tripped while any watched queue trips it (the named one, or any).</summary>
    private static (bool?, string) Queues(AlertRule rule, AlertInputs inputs, Func<QueueStatus, bool> trips, Func<QueueStatus, string> describe, string clear)
    {
        if (inputs.Queues is null || (rule.Queue is not null && rule.Kind == AlertKind.NoWorker && !inputs.Queues.Any(q => q.Queue == rule.Queue)))
        {
            // Unknown: a named queue that was not read is not a queue without workers.
            return (null, string.Empty);
        }

        var offenders = inputs.Queues.Where(q => (rule.Queue is null || q.Queue == rule.Queue) && trips(q)).OrderBy(q => q.Queue, StringComparer.Ordinal).ToList();
        return offenders.Count == 0
            ? (false, rule.Queue is null ? clear : $"queue {rule.Queue}: {clear}")
            : (true, string.Join("; ", offenders.Select(describe)));
    }

    private static (bool, bool) Grace(AlertRule rule, AlertBook book, DateTimeOffset now, bool tripped, bool changed)
    {
        if (!tripped)
        {
            return (false, changed | book.TrippedSince.Remove(rule.Name));
        }

        if (!book.TrippedSince.TryGetValue(rule.Name, out var since))
        {
            book.TrippedSince[rule.Name] = since = now;
            changed = true;
        }

        // Once firing it stays so while tripped; before, it waits out the grace.
        return (book.Alerts.GetValueOrDefault(rule.Name)?.State == AlertState.Firing || now - since >= rule.Window, changed);
    }

    private static bool ObserveMembership(AlertBook book, AlertInputs inputs)
    {
        if (inputs.DeadSilos is null)
        {
            return false;
        }

        var changed = !book.MembershipSeen;
        foreach (var silo in inputs.DeadSilos.Where(s => !book.Deaths.ContainsKey(s)))
        {
            book.Deaths[silo] = book.MembershipSeen ? inputs.Now : DateTimeOffset.MinValue;
            changed = true;
        }

        // A death the membership table no longer lists cannot be seen again: forget it.
        foreach (var gone in book.Deaths.Keys.Except(inputs.DeadSilos, StringComparer.Ordinal).ToList())
        {
            changed |= book.Deaths.Remove(gone);
        }

        book.MembershipSeen = true;
        return changed;
    }

    private static (bool?, string) SiloDead(AlertRule rule, AlertBook book, AlertInputs inputs)
    {
        if (inputs.DeadSilos is null)
        {
            return (null, string.Empty);
        }

        var back = inputs.LiveSilos.Select(Endpoint).ToHashSet(StringComparer.Ordinal);
        var recent = book.Deaths.Where(d => inputs.Now - d.Value < rule.Window && !back.Contains(Endpoint(d.Key)))
            .OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        return recent.Count == 0
            ? (false, $"no silo declared dead in the last {Span(rule.Window)} is still missing")
            : (true, $"silo{(recent.Count > 1 ? "s" : string.Empty)} {string.Join(", ", recent.Select(d => d.Key))} declared dead ({N(inputs.LiveSilos.Count)} active)");
    }

    /// <summary>A silo's address without its generation: a restarted silo comes back at the same endpoint.</summary>
    public static string Endpoint(string silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var at = silo.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? silo : silo[..at];
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string R(double ratio) => ratio.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => span.TotalSeconds < 60
        ? span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : TimeSpan.FromSeconds(Math.Round(span.TotalSeconds)).ToString("c", CultureInfo.InvariantCulture);
}
