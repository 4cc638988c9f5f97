using Npgsql;
using Orleans.TaskEngine.Silo.Hosting;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class TaskEngineDatabaseOptionsTests
{
    [Fact]
    public void The_effective_connection_string_bounds_the_pool_prepares_statements_and_skips_the_session_reset()
    {
        var options = new TaskEngineDatabaseOptions { ConnectionString = "Host=db;Username=u;Database=d" };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal(20, effective.MaxPoolSize);
        Assert.Equal(32, effective.MaxAutoPrepare);
        Assert.True(effective.NoResetOnClose);
    }

    [Fact]
    public void Settings_the_connection_string_names_win()
    {
        var options = new TaskEngineDatabaseOptions { ConnectionString = "Host=db;Maximum Pool Size=7;Max Auto Prepare=0;No Reset On Close=false" };

        var effective = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString());

        Assert.Equal(7, effective.MaxPoolSize);
        Assert.Equal(0, effective.MaxAutoPrepare);
        Assert.False(effective.NoResetOnClose);
    }
}
