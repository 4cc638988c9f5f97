namespace Orleans.TaskEngine.Api.Security;

/// <summary>The roles a named key may hold (<c>TaskEngine:Api:NamedKeys:{name}:Roles</c>); they become role claims.</summary>
public static class ApiRoles
{
    /// <summary>Submits and watches tasks; reads the operator views (queues, workers, task types).</summary>
    public const string Submitter = "submitter";

    /// <summary>Runs tasks as an agent: claims work and reports its outcome.</summary>
    public const string Agent = "agent";

    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    /// <summary>Every role: what a plain key, and a named key without <c>Roles</c>, holds.</summary>
    public static IReadOnlyList<string> All { get; } = [Submitter, Agent, Admin];

    /// <summary>The role <paramref name="configured"/> names (any case, surrounding blanks ignored), or null when it names none.</summary>
    public static string? Find(string? configured) =>
        All.FirstOrDefault(role => string.Equals(role, configured?.Trim(), StringComparison.OrdinalIgnoreCase));
}
