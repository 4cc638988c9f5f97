using Microsoft.Data.Sqlite;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>A read on a connection of its own (see <see cref="SqliteDatabase.Read{T}"/>), as the writer's <see cref="SqliteWriter.Query{T}"/>.</summary>
internal static class SqliteConnectionExtensions
{
    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
