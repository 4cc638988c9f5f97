using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.TaskEngine.Hosting;

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
        Assert.Equal("-c plan_cache_mode=force_custom_plan", effective.Options);
    }

    [Fact]
    public void Options_of_the_connection_string_are_kept_and_its_own_plan_cache_mode_wins()
    {
        var other = new TaskEngineDatabaseOptions { ConnectionString = "Host=db;Options=-c statement_timeout=5000" };
        var own = new TaskEngineDatabaseOptions { ConnectionString = "Host=db;Options=-c plan_cache_mode=auto" };

        Assert.Equal("-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan", new NpgsqlConnectionStringBuilder(other.EffectiveConnectionString()).Options);
        Assert.Equal("-c plan_cache_mode=auto", new NpgsqlConnectionStringBuilder(own.EffectiveConnectionString()).Options);
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

    [Fact]
    public void The_bound_of_the_batched_stores_queues_is_a_setting_and_a_bound_below_one_stops_the_start()
    {
        Assert.Equal(20_000, new TaskEngineDatabaseOptions().MaxQueuedOperations);
        Assert.Equal(500, Bind("500").MaxQueuedOperations);

        var refused = Assert.Throws<OptionsValidationException>(() => Bind("0"));
        Assert.Contains(nameof(TaskEngineDatabaseOptions.MaxQueuedOperations), refused.Message, StringComparison.Ordinal);
    }

    private static TaskEngineDatabaseOptions Bind(string maxQueuedOperations)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:TaskEngine"] = "Host=db",
            ["TaskEngine:Database:MaxQueuedOperations"] = maxQueuedOperations,
        }).Build();
        using var services = new ServiceCollection().AddTaskEngineDatabase(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<TaskEngineDatabaseOptions>>().Value;
    }
}
