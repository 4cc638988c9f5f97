using Npgsql;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// One read of the engine's PostgreSQL readers (queue index pages, the audit log): a pooled connection, the service
/// id bound as <c>@service</c>, each row made by <paramref name="read"/>. Errors propagate; each reader turns them into
/// its own "unavailable" message.
/// </summary>
internal static class PostgresRows
{
    public static async Task<List<T>> QueryAsync<T>(
        string connectionString, string serviceId, string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("service", serviceId);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
