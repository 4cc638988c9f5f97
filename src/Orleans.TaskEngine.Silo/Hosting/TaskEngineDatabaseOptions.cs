using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Npgsql;

namespace Orleans.TaskEngine.Silo.Hosting;

/// <summary>
/// The PostgreSQL database of a durable cluster (section <c>TaskEngine:Database</c>; the connection string itself is
/// <c>ConnectionStrings:TaskEngine</c>, i.e. the environment variable <c>ConnectionStrings__TaskEngine</c>).
/// </summary>
public sealed class TaskEngineDatabaseOptions
{
    public const string Section = "TaskEngine:Database";

    /// <summary>The name under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "TaskEngine";

    /// <summary>The ADO.NET invariant Orleans' providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Where a missing connection string must be set, in the words of an environment variable.</summary>
    public const string ConnectionStringVariable = "ConnectionStrings__TaskEngine";

    /// <summary>The Npgsql connection string (from <c>ConnectionStrings:TaskEngine</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Connections per process when the connection string does not say <c>Maximum Pool Size</c> itself. Npgsql's
    /// default of 100 per process lets two silos and an API host exhaust PostgreSQL's default max_connections (100).
    /// </summary>
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Apply the schema (silo-config/sql) when the silo starts, as <c>init-db</c> does.</summary>
    public bool InitializeOnStart { get; set; }

    /// <summary>The folder of the schema scripts; by default <c>sql/</c> beside the binary.</summary>
    public string? ScriptsPath { get; set; }

    /// <summary>The connection string every provider of this process uses (one pool), with the pool size bounded.</summary>
    public string EffectiveConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (!SaysMaxPoolSize(ConnectionString!))
        {
            builder.MaxPoolSize = MaxPoolSize;
        }

        return builder.ConnectionString;
    }

    private static bool SaysMaxPoolSize(string connectionString)
    {
        var raw = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in raw.Keys)
        {
            var normalized = key.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (normalized.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase)
                || normalized.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
