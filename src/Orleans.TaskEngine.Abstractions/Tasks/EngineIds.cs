using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The one grammar of every id the engine takes or makes (tasks now; agents, schedules and batches later):
/// <see cref="Grammar"/>. Ids travel in URL paths, headers, log lines, grain keys and database keys; with no spaces,
/// slashes, percent signs, control or non-ASCII characters none of those needs escaping, and two ids that look the same
/// are the same. The API, the clients and the grains check the same rule.
/// </summary>
public static class EngineIds
{
    public const int MaxLength = 128;

    /// <summary>The rule in words, as error messages quote it.</summary>
    public const string Grammar = "1–128 characters of A–Z a–z 0–9 . _ : -";

    /// <summary>How much of a refused id an error message repeats; the rest is elided.</summary>
    private const int ShownLength = 40;

    public static bool IsValid([NotNullWhen(true)] string? id)
    {
        if (id is null || id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!IsIdChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="id"/> is not a valid id, naming it <paramref name="what"/> (e.g. <c>task id</c>,
    /// <c>dependsOn[2]</c>); null when it is valid. The id is quoted with every character outside the grammar escaped,
    /// so a hostile one (right-to-left overrides, zero-width or control characters) cannot disguise the message.
    /// </summary>
    public static string? Describe(string? id, string what = "id")
    {
        if (IsValid(id))
        {
            return null;
        }

        if (string.IsNullOrEmpty(id))
        {
            return $"{what} is empty; ids are {Grammar}.";
        }

        if (id.Length > MaxLength)
        {
            return $"{what} is {id.Length} characters long; ids are {Grammar}.";
        }

        var at = 0;
        while (IsIdChar(id[at]))
        {
            at++;
        }

        return $"{what} '{Show(id)}' has {Name(id[at])} at position {at}; ids are {Grammar}.";
    }

    /// <summary>Throws an <see cref="ArgumentException"/> that says what is wrong unless <paramref name="id"/> is valid.</summary>
    public static void ThrowIfInvalid([NotNull] string? id, [CallerArgumentExpression(nameof(id))] string? paramName = null)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException(Describe(id, paramName ?? "id"), paramName);
        }
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-';

    private static string Show(string id)
    {
        var shown = new StringBuilder();
        foreach (var c in id.Length > ShownLength ? id[..ShownLength] : id)
        {
            if (IsIdChar(c))
            {
                shown.Append(c);
            }
            else
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return id.Length > ShownLength ? shown.Append('…').ToString() : shown.ToString();
    }

    private static string Name(char c) => string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");
}
