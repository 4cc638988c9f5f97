using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>Opening, checking and preparing the database file, with errors that name the file and what to do.</summary>
internal static class SqliteFile
{
    // SQLITE_CORRUPT, SQLITE_NOTADB: the file is not a database this engine can read.
    private static readonly int[] Damaged = [11, 26];

    /// <summary>The absolute path a connection string names (relative paths from the current directory); its folder is created.</summary>
    public static string ResolvePath(string? connectionString)
    {
        var source = new SqliteConnectionStringBuilder(connectionString ?? string.Empty).DataSource;
        if (string.IsNullOrWhiteSpace(source))
        {
            source = SqliteStoreOptions.DefaultDataSource;
        }

        if (source == ":memory:" || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqliteStoreException($"The SQLite store needs a file path in Data Source, not '{source}'.");
        }

        var path = Path.GetFullPath(source);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Opens the file and proves it is a sound database; refuses (without writing a byte) when it is not.</summary>
    public static SqliteConnection OpenChecked(string connectionString, string path)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            var result = check.ExecuteScalar() as string;
            if (!string.Equals(result, "ok", StringComparison.Ordinal))
            {
                throw Corrupt(path, result ?? "no answer");
            }

            return connection;
        }
        catch (SqliteException ex) when (Damaged.Contains(ex.SqliteErrorCode))
        {
            connection.Dispose();
            throw Corrupt(path, ex.Message);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new SqliteStoreException(
                $"Cannot open the task database {path}: {ex.Message}. Check that the file and its folder exist and are writable by this user.", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>WAL, the synchronous mode, incremental vacuum (for a new file) and the schema; idempotent.</summary>
    public static void Initialize(SqliteConnection connection, string path, SqliteSynchronous synchronous)
    {
        try
        {
            // auto_vacuum takes effect only before the first table exists: on a new file, so free pages can be returned.
            Run(connection, "PRAGMA auto_vacuum = INCREMENTAL");
            var journal = Run(connection, "PRAGMA journal_mode = WAL");
            if (!string.Equals(journal as string, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new SqliteStoreException($"The task database {path} could not switch to WAL (journal_mode is {journal}).");
            }

            Run(connection, $"PRAGMA synchronous = {(synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}");

            // The writer never checkpoints itself (a commit that does would hold every writer for the copy and its
            // fsync): SqliteDatabase checkpoints from a connection of its own, beside the writer.
            Run(connection, "PRAGMA wal_autocheckpoint = 0");
            Run(connection, "PRAGMA foreign_keys = OFF");
            using var transaction = connection.BeginTransaction();
            using (var schema = connection.CreateCommand())
            {
                schema.Transaction = transaction;
                schema.CommandText = SqliteSchema.Sql + $"\nPRAGMA user_version = {SqliteSchema.Version.ToString(CultureInfo.InvariantCulture)};";
                schema.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 8 or 14)
        {
            // SQLITE_READONLY, SQLITE_CANTOPEN: the file or its folder cannot be written.
            throw new SqliteStoreException(
                $"The task database {path} cannot be written ({ex.Message}). Give this user write access to the file and its folder, or point ConnectionStrings__TaskEngine at another file.", ex);
        }
        catch (SqliteException ex) when (Damaged.Contains(ex.SqliteErrorCode))
        {
            throw Corrupt(path, ex.Message);
        }
    }

    /// <summary><c>VACUUM INTO</c> a new file: a consistent, compact copy of the snapshot the connection reads.</summary>
    public static bool VacuumInto(SqliteConnection connection, string target)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $target";
        command.Parameters.AddWithValue("$target", target);
        command.ExecuteNonQuery();
        return true;
    }

    private static object? Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteStoreException Corrupt(string path, string detail) => new(
        $"The task database {path} is damaged or is not a SQLite database ({detail}). It was left as it is. " +
        "Restore it from a backup (taskengine backup), move it aside to start with an empty store, or point ConnectionStrings__TaskEngine at another file.");
}
