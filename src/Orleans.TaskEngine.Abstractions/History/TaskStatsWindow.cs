using System.Diagnostics.CodeAnalysis;

namespace Orleans.TaskEngine.History;

/// <summary>The windows <c>GET /api/stats</c> takes, by name.</summary>
public static class TaskStatsWindow
{
    public static readonly IReadOnlyDictionary<string, TimeSpan> Known = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["5m"] = TimeSpan.FromMinutes(5),
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
    };

    public static bool TryParse(string? name, [NotNullWhen(true)] out string? known, out TimeSpan length)
    {
        if (name is not null && Known.TryGetValue(name, out length))
        {
            known = name;
            return true;
        }

        known = null;
        length = default;
        return false;
    }
}
