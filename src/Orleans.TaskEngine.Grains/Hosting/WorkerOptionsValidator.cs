using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Checks every worker pool, so a bad pool fails the silo at start with the pool's name in the message.</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add("TaskEngine:Workers:HeartbeatInterval must be positive.");
        }

        if (options.ShutdownGracePeriod < TimeSpan.Zero)
        {
            failures.Add("TaskEngine:Workers:ShutdownGracePeriod must not be negative.");
        }

        if (options.ReportRetryLimit <= TimeSpan.Zero)
        {
            failures.Add("TaskEngine:Workers:ReportRetryLimit must be positive.");
        }

        if (options.CancellationGracePeriod <= TimeSpan.Zero)
        {
            failures.Add("TaskEngine:Workers:CancellationGracePeriod must be positive.");
        }

        foreach (var (pool, index) in options.Pools.Select((p, i) => (p, i)))
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(pool, new ValidationContext(pool), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"TaskEngine:Workers:Pools:{index} ({pool.Name}): {r.ErrorMessage}"));
            }
        }

        var duplicate = options.Pools.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            failures.Add($"TaskEngine:Workers:Pools has two pools named '{duplicate.Key}'.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
