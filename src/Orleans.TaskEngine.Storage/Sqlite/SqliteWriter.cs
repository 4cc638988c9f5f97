using Microsoft.Data.Sqlite;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The writer connection as an operation sees it inside a batch's transaction: statements prepared once per text and
/// kept for the connection's life (the writer runs the same few statements all day).
/// </summary>
public sealed class SqliteWriter
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands;

    internal SqliteWriter(SqliteConnection connection, Dictionary<string, SqliteCommand> commands)
    {
        _connection = connection;
        _commands = commands;
    }

    internal SqliteTransaction? Transaction { get; set; }

    /// <summary>Runs a statement; the rows it changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters) => Prepare(sql, parameters).ExecuteNonQuery();

    /// <summary>The first column of the first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Prepare(sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Each row, as <paramref name="read"/> makes it.</summary>
    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters) => Prepare(sql, parameters).ReadAll(read);

    private SqliteCommand Prepare(string sql, (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
