using Microsoft.Extensions.Options;
using Npgsql;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Fails start-up with a message that says which setting to fix when the database settings are unusable.</summary>
public sealed class TaskEngineDatabaseOptionsValidator : IValidateOptions<TaskEngineDatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskEngineDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                $"TaskEngine:Storage=Postgres needs a PostgreSQL connection string: set {TaskEngineDatabaseOptions.ConnectionStringVariable} " +
                "(configuration key ConnectionStrings:TaskEngine), e.g. \"Host=localhost;Port=5432;Username=postgres;Password=...;Database=taskengine\".");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"{TaskEngineDatabaseOptions.ConnectionStringVariable} is not a valid Npgsql connection string: {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
