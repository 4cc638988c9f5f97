namespace Orleans.TaskEngine.Hosting.Security;

/// <summary>How a key is presented, on the API host and on silos: <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
public static class BearerHeader
{
    private const string Scheme = "Bearer ";

    /// <summary>The key of an <c>Authorization</c> header's value, or null when it is not a bearer one.</summary>
    public static string? KeyOf(string authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? authorization[Scheme.Length..].Trim() : null;
    }
}
