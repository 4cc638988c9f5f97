using System.Globalization;
using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>
/// Each <c>DefaultWaitSeconds</c> a whole number from 0 to <c>TaskEngine:Api:MaxWaitSeconds</c>: a wait the API would
/// refuse as <c>?wait=</c> stops the host at start, naming the setting, instead of surprising the first submit.
/// </summary>
public sealed class TaskTypeOptionsValidator(IOptions<ApiOptions> api) : IValidateOptions<TaskTypeOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskTypeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = api.Value.MaxWaitSeconds;
        var failures = new List<string>();
        foreach (var (type, raw) in options.DefaultWaitSeconds)
        {
            var setting = $"{TaskTypeOptions.Section}:{type}:{TaskTypeOptions.DefaultWaitKey}";
            if (!int.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var seconds))
            {
                failures.Add($"{setting} ('{raw}') must be a whole number of seconds from 0 to {ApiOptions.Section}:MaxWaitSeconds ({max}).");
            }
            else if (seconds < 0)
            {
                failures.Add($"{setting} ({seconds}) must not be negative; 0 answers with the task's id at once.");
            }
            else if (seconds > max)
            {
                failures.Add($"{setting} ({seconds}) is over {ApiOptions.Section}:MaxWaitSeconds ({max}); raise that or lower this.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
