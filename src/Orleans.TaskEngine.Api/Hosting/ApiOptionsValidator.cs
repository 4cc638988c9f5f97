using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>
/// Checks of the keys in <see cref="ApiOptions"/> at start: a key that is empty, configured twice (which identity would
/// it have?) or given a role that does not exist stops the host with a message naming the setting, never the secret.
/// </summary>
public sealed class ApiOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiOptions>
{
    private const string PlainKeyPrefix = "key-";
    private const string Anonymous = "anonymous";

    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);

        for (var i = 0; i < options.Keys.Count; i++)
        {
            Check($"{ApiOptions.Section}:Keys:{i}", options.Keys[i]);
        }

        foreach (var (keyName, named) in options.NamedKeys)
        {
            var setting = $"{ApiOptions.Section}:NamedKeys:{keyName}";
            if (EngineIds.Describe(keyName, "the name") is { } badName)
            {
                failures.Add($"{setting}: {badName}");
            }
            else if (keyName.StartsWith(PlainKeyPrefix, StringComparison.OrdinalIgnoreCase) || string.Equals(keyName, Anonymous, StringComparison.OrdinalIgnoreCase))
            {
                // Those are the identities of plain keys and of callers without keys: sharing one would share idempotency keys.
                failures.Add($"{setting}: the name '{keyName}' is reserved (names starting with '{PlainKeyPrefix}' identify plain keys, '{Anonymous}' callers without a key); choose another.");
            }

            Check($"{setting}:Key", named.Key);

            // Binding drops a single value where a list is expected: 'Roles=agent' would silently mean every role.
            var roles = configuration.GetSection($"{setting}:Roles");
            if (roles.Value is { Length: > 0 } single && !roles.GetChildren().Any())
            {
                failures.Add($"{setting}:Roles is the single value '{single}'; give a list ({setting}:Roles:0, :Roles:1, … or a JSON array) of {string.Join(", ", ApiRoles.All)}.");
            }

            foreach (var role in named.Roles.Where(role => ApiRoles.Find(role) is null))
            {
                failures.Add($"{setting}:Roles has the unknown role '{role}'; roles are {string.Join(", ", ApiRoles.All)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(string setting, string? key)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                failures.Add($"{setting} is empty; a key must be a non-blank secret.");
            }
            else if (!seen.TryAdd(key, setting))
            {
                failures.Add($"{setting} is the same key as {seen[key]}; each key must be different, so that a key names one caller.");
            }
        }
    }
}
