using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>The built-in <c>http</c> handler (section <c>TaskEngine:Http</c>).</summary>
public sealed class HttpHandlerOptions
{
    public const string Section = "TaskEngine:Http";

    /// <summary>Hosts the handler may call (exact host names, or <c>*.example.com</c>). Empty: it calls nothing.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Whether <paramref name="host"/> is on <see cref="AllowedHosts"/> (exactly, or under a <c>*.</c> entry).</summary>
    public bool Allows(string host) =>
        AllowedHosts.Any(allowed =>
            allowed.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Redirects (301, 302, 303, 307, 308) the handler follows for one call, each only to an allowed host; 0 follows none.
    /// </summary>
    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Largest response body kept in the result.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 1024 * 1024;
}
