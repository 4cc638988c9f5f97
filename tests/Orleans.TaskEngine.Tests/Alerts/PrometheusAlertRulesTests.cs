using System.Text.RegularExpressions;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// <c>silo-config/prometheus/alerts.yml</c>: shaped as a Prometheus rules file (a line check: no YAML parser here), every
/// rule with an expression over metrics the engine exports, and one rule per kind of the engine's alerts.
/// </summary>
public sealed partial class PrometheusAlertRulesTests
{
    [Fact]
    public void The_rules_file_has_one_rule_per_alert_kind_over_exported_metrics()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "silo-config", "prometheus", "alerts.yml"))
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
        Assert.Equal("groups:", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains('\t', StringComparison.Ordinal));

        // Each "- alert:" starts a rule that runs to the next one: it has an expr and a taskengine_kind label.
        var starts = lines.Select((l, i) => (l, i)).Where(x => x.l.TrimStart().StartsWith("- alert: ", StringComparison.Ordinal)).Select(x => x.i).ToList();
        var kinds = new List<string>();
        foreach (var (start, end) in starts.Zip(starts.Skip(1).Append(lines.Count)))
        {
            var rule = lines[start..end];
            Assert.Contains(rule, l => l.TrimStart().StartsWith("expr:", StringComparison.Ordinal));
            var kind = rule.Select(l => Kind().Match(l)).Single(m => m.Success).Groups[1].Value;
            kinds.Add(kind);
            var text = string.Join('\n', rule);
            Assert.True(text.Contains("taskengine_", StringComparison.Ordinal) || text.Contains("up{", StringComparison.Ordinal), $"rule {kind} reads no metric");
        }

        Assert.Equal(Enum.GetNames<AlertKind>().Order(), kinds.Order());
    }

    [GeneratedRegex(@"^\s+taskengine_kind: (\w+)$")]
    private static partial Regex Kind();
}
