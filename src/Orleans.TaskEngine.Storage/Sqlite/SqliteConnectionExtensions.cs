using Microsoft.Data.Sqlite;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>Reading rows, the same for the writer (<see cref="SqliteWriter.Query{T}"/>) and for a read connection.</summary>
internal static class SqliteConnectionExtensions
{
    /// <summary>A read on a connection of its own (see <see cref="SqliteDatabase.Read{T}"/>): each row, as <paramref name="read"/> makes it.</summary>
    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ReadAll(read);
    }

    /// <summary>Runs the command; each row, as <paramref name="read"/> makes it.</summary>
    public static List<T> ReadAll<T>(this SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
