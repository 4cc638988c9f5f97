using System.Globalization;
using Orleans.TaskEngine.Handlers;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>
/// What the REST host reads per task type (section <c>TaskEngine:TaskTypes</c>). An entry is a plain description
/// (<c>"some.type": "what it does"</c>) or an object: <c>{"Description": …, "DefaultWaitSeconds": 20}</c>. With
/// <c>DefaultWaitSeconds</c>, a single submit of the type without <c>?wait=</c> waits that long for the result, so a
/// front end is switched between "answer with the result" and "answer with an id" by configuration alone.
/// </summary>
public sealed class TaskTypeOptions
{
    public const string Section = KnownTaskTypes.Section;
    public const string DefaultWaitKey = "DefaultWaitSeconds";

    /// <summary><c>DefaultWaitSeconds</c> by type, as configured (checked at start by <see cref="TaskTypeOptionsValidator"/>).</summary>
    public Dictionary<string, string> DefaultWaitSeconds { get; } = new(StringComparer.Ordinal);

    /// <summary>The wait of a submit of <paramref name="type"/> that gives no <c>?wait=</c>; null: none (answer with the id).</summary>
    public int? DefaultWaitFor(string type) =>
        DefaultWaitSeconds.TryGetValue(type, out var raw) && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;

    /// <summary>Reads the object form's <c>DefaultWaitSeconds</c>; the plain-string form has none.</summary>
    public static void Read(TaskTypeOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var type in configuration.GetSection(Section).GetChildren())
        {
            if (type[DefaultWaitKey] is { } raw)
            {
                options.DefaultWaitSeconds[type.Key] = raw;
            }
        }
    }
}
