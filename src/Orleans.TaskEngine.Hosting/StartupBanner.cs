using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Storage.Database;
using Orleans.TaskEngine.Storage.Sqlite;

namespace Orleans.TaskEngine.Hosting;

/// <summary>
/// The few lines a host prints once it listens: what runs (mode, storage and where it lives) and where to point a
/// browser or a scraper. Plain text from plain inputs, so a test reads it without a host.
/// </summary>
public static class StartupBanner
{
    /// <param name="role">What this process is, e.g. "API host with an embedded silo".</param>
    /// <param name="storage">Where tasks live (<see cref="DescribeStorage"/>); null for a process that holds none.</param>
    /// <param name="baseUrl">The first address the host listens on.</param>
    /// <param name="links">Named paths under <paramref name="baseUrl"/>, in the order to print.</param>
    public static string Format(string role, string? storage, string baseUrl, IEnumerable<(string Name, string Path)> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var text = new StringBuilder("Orleans.TaskEngine: ").Append(role);
        if (storage is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; tasks {storage}");
        }

        var root = baseUrl.TrimEnd('/');
        foreach (var (name, path) in links)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {name,-18} {root}{path}");
        }

        return text.ToString();
    }

    /// <summary>Where the configured storage keeps tasks, in a few words.</summary>
    public static string DescribeStorage(IConfiguration configuration) => TaskEngineSiloConfiguration.ReadStorageMode(configuration) switch
    {
        StorageMode.Memory => "in memory (lost when this process stops)",
        StorageMode.Sqlite => "in the SQLite file "
            + SqliteStoreOptions.ResolvePath(configuration.GetConnectionString(TaskEngineDatabaseOptions.ConnectionStringName)) + " (kept across restarts)",
        _ => "in PostgreSQL (durable, shared by the cluster)",
    };

    /// <summary>The address to print: the first http(s) URL the host listens on, with a wildcard host made clickable.</summary>
    public static string BrowsableUrl(IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var first = urls.FirstOrDefault() ?? "http://localhost";
        return first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal);
    }
}
