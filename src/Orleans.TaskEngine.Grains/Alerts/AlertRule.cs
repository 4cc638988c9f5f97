using System.Globalization;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Alerts;

/// <summary>A rule as configured, checked and with its kind's defaults filled in (see <see cref="AlertKind"/>).</summary>
public sealed record AlertRule(string Name, AlertKind Kind, string? Queue, double Threshold, TimeSpan Window, int MinCount)
{
    public static readonly TimeSpan DefaultFailureWindow = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultSiloDeadWindow = TimeSpan.FromMinutes(5);

    /// <summary>The rule's labels: its kind, and its queue (<c>*</c>: every queue). Not for SiloDead, which has no queue.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; } = Kind == AlertKind.SiloDead
        ? new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = Kind.ToString() }
        : new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = Kind.ToString(), ["queue"] = Queue ?? "*" };

    /// <summary>The rules of <paramref name="options"/>, by name; throws on a bad one (the validator refuses those at start).</summary>
    public static IReadOnlyList<AlertRule> All(AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. options.Rules.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
            TryParse(r.Key, r.Value, out var rule, out var errors) ? rule : throw new InvalidOperationException(string.Join(" ", errors)))];
    }

    /// <summary>Checks one rule; <paramref name="errors"/> name its setting, e.g. <c>TaskEngine:Alerts:Rules:deep:Threshold</c>.</summary>
    public static bool TryParse(string name, AlertRuleOptions options, out AlertRule rule, out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = errors = [];
        rule = null!;
        var at = $"{AlertOptions.Section}:Rules:{name}";
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            errors.Add($"{at}: a rule's name is letters, digits, '-', '_' and '.' only.");
        }

        if (!Enum.TryParse<AlertKind>(options.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(options.Kind, out _))
        {
            errors.Add($"{at}:Kind '{options.Kind}' is not a kind of alert; use one of {string.Join(", ", Enum.GetNames<AlertKind>())}.");
            return false;
        }

        var uses = Uses(kind);
        Refuse(options.Queue is not null && !uses.Queue, "Queue");
        Refuse(options.Threshold is not null && !uses.Threshold, "Threshold");
        Refuse(options.Window is not null && !uses.Window, "Window");
        Refuse(options.MinCount is not null && kind != AlertKind.FailureRatio, "MinCount");
        void Refuse(bool refused, string field)
        {
            if (refused)
            {
                found.Add($"{at}:{field} is not used by a {kind} rule; remove it.");
            }
        }

        if (options.Queue is { } queue && string.IsNullOrWhiteSpace(queue))
        {
            errors.Add($"{at}:Queue must not be empty (leave it out to watch every queue).");
        }

        var threshold = options.Threshold ?? double.NaN;
        switch (kind)
        {
            case AlertKind.FailureRatio when !(threshold is >= 0 and < 1):
                errors.Add($"{at}:Threshold is required for FailureRatio: a ratio of failed to finished tasks, at least 0 and below 1 (e.g. 0.2).");
                break;
            case AlertKind.QueueDepth when !(threshold >= 0 && threshold == Math.Floor(threshold) && threshold <= int.MaxValue):
                errors.Add($"{at}:Threshold is required for QueueDepth: a whole number of pending tasks, 0 or more.");
                break;
        }

        var window = options.Window ?? kind switch
        {
            AlertKind.FailureRatio => DefaultFailureWindow,
            AlertKind.SiloDead => DefaultSiloDeadWindow,
            AlertKind.OldestPending => TimeSpan.MinValue,
            _ => TimeSpan.Zero,
        };
        if (window < TimeSpan.Zero || (window == TimeSpan.Zero && kind is AlertKind.FailureRatio or AlertKind.OldestPending or AlertKind.SiloDead))
        {
            errors.Add(kind == AlertKind.OldestPending && options.Window is null
                ? $"{at}:Window is required for OldestPending: how long a task may wait (e.g. 00:05:00)."
                : $"{at}:Window must be {(kind == AlertKind.NoWorker ? "0 or more" : "positive")}, as hh:mm:ss (got {window.ToString("c", CultureInfo.InvariantCulture)}).");
        }

        var minCount = options.MinCount ?? 1;
        if (minCount < 1)
        {
            errors.Add($"{at}:MinCount must be 1 or more.");
        }

        if (errors.Count > 0)
        {
            return false;
        }

        rule = new AlertRule(name, kind, options.Queue, double.IsNaN(threshold) ? 0 : threshold, window, minCount);
        return true;
    }

    private static (bool Queue, bool Threshold, bool Window) Uses(AlertKind kind) => kind switch
    {
        AlertKind.FailureRatio => (true, true, true),
        AlertKind.QueueDepth => (true, true, false),
        AlertKind.OldestPending => (true, false, true),
        AlertKind.NoWorker => (true, false, true),
        _ => (false, false, true),
    };
}
