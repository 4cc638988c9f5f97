using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class StartupBannerTests
{
    [Fact]
    public void The_banner_names_the_role_the_storage_and_each_address()
    {
        var text = StartupBanner.Format("silo", "in memory (lost when this process stops)", "http://localhost:8080/", [("Metrics", "/metrics"), ("Health", "/health")]);

        Assert.Equal(
            "Orleans.TaskEngine: silo; tasks in memory (lost when this process stops)\n  Metrics            http://localhost:8080/metrics\n  Health             http://localhost:8080/health",
            text);
    }

    [Theory]
    [InlineData("http://+:8080", "http://localhost:8080")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://[::]:8080", "http://localhost:8080")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    public void A_wildcard_address_is_printed_as_localhost(string listening, string printed) =>
        Assert.Equal(printed, StartupBanner.BrowsableUrl([listening, "http://other:1"]));

    [Theory]
    [InlineData("Memory", "in memory")]
    [InlineData("Postgres", "in PostgreSQL")]
    [InlineData("Sqlite", "in the SQLite file /")]
    public void The_storage_is_described_by_its_mode(string mode, string start)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["TaskEngine:Storage"] = mode }).Build();
        Assert.StartsWith(start, StartupBanner.DescribeStorage(configuration), StringComparison.Ordinal);
    }
}
