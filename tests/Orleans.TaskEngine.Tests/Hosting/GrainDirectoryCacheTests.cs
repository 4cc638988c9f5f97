using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tests.Hosting;

/// <summary>One grain per task: Orleans' directory cache must not keep the address of every task ever run.</summary>
public sealed class GrainDirectoryCacheTests
{
    [Fact]
    public void The_engine_bounds_the_directory_cache_below_Orleans_default()
    {
        var options = DirectoryOptionsOf(new Dictionary<string, string?>());

        Assert.Equal(TaskEngineSiloBuilderExtensions.DefaultDirectoryCacheSize, options.CacheSize);
        Assert.True(options.CacheSize < GrainDirectoryOptions.DEFAULT_CACHE_SIZE);
    }

    [Fact]
    public void Configuration_sets_the_directory_cache_size()
    {
        var options = DirectoryOptionsOf(new Dictionary<string, string?> { ["TaskEngine:Cluster:Directory:CacheSize"] = "5000" });

        Assert.Equal(5000, options.CacheSize);
    }

    private static GrainDirectoryOptions DirectoryOptionsOf(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddTaskEngine(builder.Configuration));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
    }
}
