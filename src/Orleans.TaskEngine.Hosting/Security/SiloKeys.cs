using Microsoft.Extensions.Configuration;

namespace Orleans.TaskEngine.Hosting.Security;

/// <summary>
/// The API keys as a silo reads them: the same settings as the API host (<c>TaskEngine:Api:Keys</c> and
/// <c>TaskEngine:Api:NamedKeys:{name}:Key</c>), so one secret store serves both. A silo has no roles to check: its HTTP
/// address serves operators only (the Orleans Dashboard, <c>/metrics</c>), so any configured key opens it.
/// </summary>
public sealed class SiloKeys
{
    public const string ApiSection = "TaskEngine:Api";

    /// <summary>The one caller any key identifies on a silo.</summary>
    public const string Operator = "operator";

    private readonly KeyMatcher<string> _keys;

    public SiloKeys(IEnumerable<string> keys) => _keys = new KeyMatcher<string>(keys.Select(k => (k, Operator)));

    public bool HasKeys => _keys.HasKeys;

    public static SiloKeys From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var api = configuration.GetSection(ApiSection);
        var plain = api.GetSection("Keys").GetChildren().Select(c => c.Value ?? string.Empty);
        var named = api.GetSection("NamedKeys").GetChildren().Select(c => c["Key"] ?? string.Empty);
        return new SiloKeys(plain.Concat(named));
    }

    /// <summary>Whether <paramref name="presented"/> is one of the keys (compared in constant time).</summary>
    public bool Accepts(string presented) => _keys.TryMatch(presented, out _);
}
