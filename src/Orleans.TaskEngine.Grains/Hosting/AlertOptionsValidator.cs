using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Alerts;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Checks every alert rule and the webhooks, so a bad one stops the silo at start with the setting's name in the message.</summary>
public sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (rule, settings) in options.Rules)
        {
            if (!AlertRule.TryParse(rule, settings, out _, out var errors))
            {
                failures.AddRange(errors);
            }
        }

        foreach (var (url, index) in options.Webhooks.Select((u, i) => (u, i)))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{AlertOptions.Section}:Webhooks:{index} ('{url}') must be an absolute http or https URL.");
            }
        }

        if (options.Webhooks.Count > 0 && string.IsNullOrEmpty(options.Secret))
        {
            failures.Add($"{AlertOptions.Section}:Secret is required with webhooks: every POST is signed with it (X-TaskEngine-Signature).");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{AlertOptions.Section}:RetryMaxDelay must not be below RetryBaseDelay.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
