using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Orleans.TaskEngine.Api.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (so <c>dotnet run</c> and a published binary serve the same bytes
/// with nothing beside them), read once at start-up.
/// </summary>
public sealed class DashboardFiles
{
    private const string Prefix = "dashboard/";

    // The page loads only its own files and calls only this host: nothing outside the machine, no inline script.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly FrozenDictionary<string, DashboardFile> _files;

    private DashboardFiles(FrozenDictionary<string, DashboardFile> files) => _files = files;

    public static DashboardFiles Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            files[resource[Prefix.Length..]] = new DashboardFile(bytes, ContentType(resource), etag);
        }

        return new DashboardFiles(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file, revalidated by ETag on each load so a new build's page is never mixed with an old script.</summary>
    public IResult Serve(HttpContext http, string name)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!_files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Contains(file.ETag, StringComparison.Ordinal)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Bytes, file.ContentType);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
