using Orleans.TaskEngine.Api.Security;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>
/// One key under <c>TaskEngine:Api:NamedKeys:{name}</c>: the caller it identifies is the name (an id, as tasks'
/// <c>createdBy</c> shows it), and what it may do is its roles.
/// </summary>
public sealed class NamedApiKey
{
    /// <summary>The secret sent as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>
    /// Any of <c>submitter</c>, <c>agent</c>, <c>admin</c>. None configured means all three: configuration cannot say
    /// "an empty list", and a key without roles would be useless.
    /// </summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The roles in their canonical spelling, all of them when none are configured; unknown ones are left out (validation refuses them at start).</summary>
    public IReadOnlyList<string> EffectiveRoles() =>
        Roles.Count == 0 ? ApiRoles.All : [.. Roles.Select(ApiRoles.Find).OfType<string>().Distinct(StringComparer.Ordinal)];
}
