using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Orleans.TaskEngine.History;

/// <summary>A keyset position in the newest-first order of (creation time, id); opaque to callers (base64url text).</summary>
[GenerateSerializer, Immutable]
public sealed record TaskSearchCursor(
    [property: Id(0)] DateTimeOffset CreatedAt,
    [property: Id(1)] string Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{Id}"));

    public static bool TryParse(string? text, [NotNullWhen(true)] out TaskSearchCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 400)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Tasks.EngineIds.IsValid(decoded[(colon + 1)..]))
        {
            return false;
        }

        cursor = new TaskSearchCursor(new DateTimeOffset(ticks, TimeSpan.Zero), decoded[(colon + 1)..]);
        return true;
    }
}
