using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Orleans.TaskEngine.Storage.Database;

/// <summary>
/// Applies the schema scripts to the database in one transaction. The scripts are idempotent, so this runs any number
/// of times; an advisory lock makes silos that start together with InitializeOnStart take turns instead of racing
/// on CREATE TABLE IF NOT EXISTS (which is not safe under concurrency in PostgreSQL).
/// </summary>
public sealed partial class SchemaInitializer(ILogger<SchemaInitializer> logger)
{
    // Any constant: the key every initializer of this schema locks on.
    private const long AdvisoryLockKey = 0x5461_736B_456E_67;

    public async Task<SchemaInitResult> ApplyAsync(string connectionString, string scriptsDirectory, CancellationToken cancellationToken)
    {
        var scripts = SchemaScripts.InOrder(scriptsDirectory);
        var total = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        bool existed;
        await using (var probe = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", connection, transaction))
        {
            existed = (bool)(await probe.ExecuteScalarAsync(cancellationToken))!;
        }

        var applied = new List<SchemaScriptResult>();
        foreach (var script in scripts)
        {
            var watch = Stopwatch.StartNew();
            var sql = await File.ReadAllTextAsync(script, cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException($"{Path.GetFileName(script)} failed: {ex.MessageText} (SQLSTATE {ex.SqlState}); nothing was changed.", ex);
            }

            var name = Path.GetFileName(script);
            applied.Add(new SchemaScriptResult(name, watch.Elapsed));
            LogScriptApplied(name, watch.ElapsedMilliseconds);
        }

        int queries;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM orleansquery", connection, transaction))
        {
            queries = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await transaction.CommitAsync(cancellationToken);
        var result = new SchemaInitResult(connection.Database, existed, applied, queries, total.Elapsed);
        LogSchemaApplied(result.Database, existed ? "updated in place" : "created", applied.Count, queries, total.ElapsedMilliseconds);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Applied {Script} in {ElapsedMs} ms")]
    private partial void LogScriptApplied(string script, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema of database {Database} {What}: {Scripts} script(s), {Queries} provider queries, {ElapsedMs} ms")]
    private partial void LogSchemaApplied(string database, string what, int scripts, int queries, long elapsedMs);
}
