using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>A bad <c>TaskEngine:Api:NamedKeys</c> stops the host at start with a message naming the setting.</summary>
public sealed class NamedKeyConfigurationTests
{
    [Theory]
    [InlineData("TaskEngine:Api:NamedKeys:ci:Key", "", "TaskEngine:Api:NamedKeys:ci:Key is empty")]
    [InlineData("TaskEngine:Api:NamedKeys:ci:Key", "  ", "TaskEngine:Api:NamedKeys:ci:Key is empty")]
    [InlineData("TaskEngine:Api:NamedKeys:ci:Roles:0", "root", "unknown role 'root'")]
    [InlineData("TaskEngine:Api:NamedKeys:ci:Roles", "agent", "TaskEngine:Api:NamedKeys:ci:Roles is the single value 'agent'")]
    [InlineData("TaskEngine:Api:NamedKeys:other:Key", "shared-secret", "is the same key as")]
    [InlineData("TaskEngine:Api:Keys:0", "shared-secret", "is the same key as")]
    [InlineData("TaskEngine:Api:NamedKeys:bad name:Key", "k2", "has U+0020 at position 3")]
    [InlineData("TaskEngine:Api:NamedKeys:key-1234:Key", "k2", "is reserved")]
    public void The_host_does_not_start_and_says_which_setting_is_wrong(string setting, string value, string message)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Api:Mode", "External")
            .UseSetting("TaskEngine:Api:NamedKeys:ci:Key", "shared-secret")
            .UseSetting(setting, value)
            .ConfigureTestServices(s => s.AddSingleton(ClusterHealthCheckTests.UnreachableCluster.Create())));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("shared-secret", error.Message, StringComparison.Ordinal);
    }
}
