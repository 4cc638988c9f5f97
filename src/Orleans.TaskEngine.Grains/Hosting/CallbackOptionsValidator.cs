using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Hosting;

/// <summary>What the data annotations of <see cref="CallbackOptions"/> cannot say: the delays in the right order.</summary>
public sealed class CallbackOptionsValidator : IValidateOptions<CallbackOptions>
{
    public ValidateOptionsResult Validate(string? name, CallbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.RetryMaxDelay < options.RetryBaseDelay
            ? ValidateOptionsResult.Fail($"{CallbackOptions.Section}:RetryMaxDelay ({options.RetryMaxDelay}) must not be below RetryBaseDelay ({options.RetryBaseDelay}).")
            : ValidateOptionsResult.Success;
    }
}
