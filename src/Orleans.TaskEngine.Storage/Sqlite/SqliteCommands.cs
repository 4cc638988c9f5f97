using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage.Database;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The single-file store's upkeep commands, run as the host's first argument:
/// <c>backup FILE [--from SOURCE]</c> (a consistent copy while the engine runs) and
/// <c>migrate --to POSTGRES [--from SOURCE]</c> (moves the store into PostgreSQL; the engine stopped).
/// SOURCE is a SQLite connection string or path; by default <c>ConnectionStrings__TaskEngine</c> when it names a SQLite
/// file, else <see cref="SqliteStoreOptions.DefaultDataSource"/> under the current directory.
/// </summary>
public static class SqliteCommands
{
    public const string Backup = "backup";

    public const string Migrate = "migrate";

    /// <summary>Whether <paramref name="args"/> name one of these commands.</summary>
    public static bool Handles(string[] args) => args is [Backup or Migrate, ..];

    /// <summary>Runs the command; exit code 0 when done, 1 when it failed (said on <paramref name="error"/>), 2 for bad usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = Options(args[1..], out var positional);
        var from = SqliteFile.ResolvePath(Source(options.GetValueOrDefault("--from")));
        try
        {
            switch (args[0])
            {
                case Backup when positional is [var destination]:
                    var target = Path.GetFullPath(destination);
                    await new SqliteBackup(from).RunAsync(target, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"backup: {from} copied to {target} ({new FileInfo(target).Length:N0} bytes)").ConfigureAwait(false);
                    return 0;
                case Migrate when positional.Count == 0 && options.TryGetValue("--to", out var to):
                    var database = new NpgsqlConnectionStringBuilder(to);
                    await output.WriteLineAsync($"migrate: applying the schema to database '{database.Database}' on {database.Host}:{database.Port}").ConfigureAwait(false);
                    await new SchemaInitializer(NullLogger<SchemaInitializer>.Instance).ApplyAsync(to, SchemaScripts.DefaultDirectory, cancellationToken).ConfigureAwait(false);
                    var result = await SqliteToPostgresMigration.RunAsync(from, to, cancellationToken).ConfigureAwait(false);
                    foreach (var (table, (copied, kept)) in result.Tables)
                    {
                        await output.WriteLineAsync($"  {table}: {copied} row(s) copied" + (kept > 0 ? $", {kept} already there (kept)" : string.Empty)).ConfigureAwait(false);
                    }

                    await output.WriteLineAsync($"migrate: done. Start the engine with TaskEngine__Storage=Postgres and ConnectionStrings__TaskEngine set to that database; {from} was left as it was.").ConfigureAwait(false);
                    return 0;
                default:
                    await error.WriteLineAsync("usage: backup FILE [--from SQLITE] | migrate --to POSTGRES_CONNECTION_STRING [--from SQLITE]").ConfigureAwait(false);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is SqliteStoreException or SqliteException or NpgsqlException or IOException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"{args[0]} failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string? Source(string? given)
    {
        if (given is not null)
        {
            return given.Contains('=', StringComparison.Ordinal) ? given : $"Data Source={given}";
        }

        var configured = Environment.GetEnvironmentVariable(TaskEngineDatabaseOptions.ConnectionStringVariable);
        return configured is not null && configured.Contains("Data Source", StringComparison.OrdinalIgnoreCase) ? configured : null;
    }

    private static Dictionary<string, string> Options(string[] args, out List<string> positional)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        positional = [];
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return options;
    }
}
