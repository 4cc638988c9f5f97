using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>The audit log and task search (section <c>TaskEngine:History</c>).</summary>
public sealed class HistoryOptions : IValidatableObject
{
    public const string Section = "TaskEngine:History";

    /// <summary>Whether task writes add to the audit log (off: search, history and stats find nothing new; for measuring its cost).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a task incarnation's summary and events are kept (from its creation).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>In memory: the most task incarnations kept; the oldest go first.</summary>
    [Range(1, 100_000_000)]
    public int MaxTasks { get; set; } = 100_000;

    /// <summary>Incarnations purged per batch (a short transaction each), and how often the purge runs.</summary>
    [Range(1, 100_000)]
    public int PurgeBatchSize { get; set; } = 1_000;

    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Retention <= TimeSpan.Zero)
        {
            yield return new ValidationResult("TaskEngine:History:Retention must be positive.", [nameof(Retention)]);
        }

        if (PurgeInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("TaskEngine:History:PurgeInterval must be positive.", [nameof(PurgeInterval)]);
        }
    }
}
