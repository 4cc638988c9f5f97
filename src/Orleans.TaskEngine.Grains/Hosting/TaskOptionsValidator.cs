using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Cross-field checks of <see cref="TaskOptions"/>, including against the reminder service's minimum period.</summary>
public sealed class TaskOptionsValidator(IOptions<ReminderOptions> reminders) : IValidateOptions<TaskOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            return ValidateOptionsResult.Fail("TaskEngine:Tasks:RetryMaxDelay must not be less than RetryBaseDelay.");
        }

        var minimum = reminders.Value.MinimumReminderPeriod;
        if (options.WatchdogPeriod < minimum)
        {
            return ValidateOptionsResult.Fail(
                $"TaskEngine:Tasks:WatchdogPeriod ({options.WatchdogPeriod}) is below the reminder service's minimum period ({minimum}); raise it or lower ReminderOptions.MinimumReminderPeriod.");
        }

        return ValidateOptionsResult.Success;
    }
}
