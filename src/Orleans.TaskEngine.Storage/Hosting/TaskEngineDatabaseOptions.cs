using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Npgsql;

namespace Orleans.TaskEngine.Hosting;

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

    /// <summary>
    /// Statements Npgsql prepares automatically per connection when the connection string does not say
    /// <c>Max Auto Prepare</c>: the providers repeat a handful of statements, and preparing them saves PostgreSQL
    /// the parse and plan of every call (prepared statements survive the return of a connection to the pool).
    /// </summary>
    [Range(0, 1000)]
    public int MaxAutoPrepare { get; set; } = 32;

    /// <summary>
    /// Operations each of the engine's batched stores (task state, queue index) holds waiting for their round trip.
    /// Past it a caller waits, asynchronously, until a batch leaves the queue: when PostgreSQL falls behind, the silo's
    /// grains slow down with it instead of piling up work in memory. Far above what a healthy database leaves queued
    /// (a batch is at most 1,000 and 2,000 operations).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedOperations { get; set; } = 20_000;

    /// <summary>
    /// Where task state is kept: <see cref="TaskStateStore.Batched"/> (many grains' reads and writes in one round trip)
    /// or <see cref="TaskStateStore.AdoNet"/> (Orleans' standard provider and schema). Both are registered; this picks
    /// the one the engine uses. The two tables are separate: switching starts from an empty store.
    /// </summary>
    public TaskStateStore TaskStore { get; set; } = TaskStateStore.Batched;

    /// <summary>
    /// Sent to PostgreSQL with each new connection: plan every execution of a prepared statement for its own
    /// parameters. A cluster prepares its statements while its tables are empty, and PostgreSQL may otherwise keep
    /// one plan for all later calls, made for an empty table: measured, the batched read of task state then scanned
    /// every row of the service until autovacuum's first ANALYZE a minute or more later. Planning these statements
    /// costs far less than one such scan.
    /// </summary>
    public const string PlanCacheOption = "-c plan_cache_mode=force_custom_plan";

    /// <summary>
    /// The connection string every provider of this process uses (one pool), with the pool size bounded, statements
    /// prepared automatically and planned per call (<see cref="PlanCacheOption"/>), and no session reset when a
    /// connection returns to the pool (nothing in the engine or Orleans' providers changes session state, so the reset
    /// would be a wasted statement per use). Settings the connection string names itself win.
    /// </summary>
    public string EffectiveConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (!Says(ConnectionString!, "MaximumPoolSize", "MaxPoolSize"))
        {
            builder.MaxPoolSize = MaxPoolSize;
        }

        if (!Says(ConnectionString!, "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (builder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? PlanCacheOption : $"{builder.Options} {PlanCacheOption}";
        }

        if (!Says(ConnectionString!, "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static bool Says(string connectionString, params string[] keys)
    {
        var raw = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in raw.Keys)
        {
            var normalized = key.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (keys.Any(k => normalized.Equals(k, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
