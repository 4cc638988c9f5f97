using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Cross-field checks of <see cref="QueueOptions"/>.</summary>
public sealed class QueueOptionsValidator : IValidateOptions<QueueOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The configured queues always exist: a cap below them would refuse every other queue for good.
        var configured = options.Overrides.Keys.Append(TaskDefaults.Queue).Distinct(StringComparer.Ordinal).Count();
        if (options.MaxQueues < configured)
        {
            return ValidateOptionsResult.Fail(
                $"TaskEngine:Queues:MaxQueues ({options.MaxQueues}) is below the number of configured queues ({configured}: the default queue and the overrides); raise it.");
        }

        return ValidateOptionsResult.Success;
    }
}
