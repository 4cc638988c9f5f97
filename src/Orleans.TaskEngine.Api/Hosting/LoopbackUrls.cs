using System.Net;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>Rewrites listen addresses to loopback, for a host that has no API keys.</summary>
public static class LoopbackUrls
{
    public static string Restrict(string urls) =>
        string.Join(';', urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(RestrictOne));

    private static string RestrictOne(string url)
    {
        // Kestrel accepts '*' and '+' as "every address"; Uri does not.
        var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri))
        {
            return url;
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
        return loopback ? url : new UriBuilder(uri) { Host = "127.0.0.1" }.Uri.ToString().TrimEnd('/');
    }
}
