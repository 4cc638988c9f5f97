using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>The API in front of a cluster that does not answer.</summary>
public sealed class UnavailableClusterTests
{
    [Fact]
    public async Task Calls_get_503_with_retry_after_and_ready_says_not_ready()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Api:Mode", "External")
            .ConfigureTestServices(s => s.AddSingleton(ClusterHealthCheckTests.UnreachableCluster.Create())));
        using var http = factory.CreateClient();

        using var submit = await http.PostAsync("/api/tasks", TaskApiTests.Json("""{"type":"echo"}"""));
        await TaskApiTests.AssertProblem(submit, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.NotNull(submit.Headers.RetryAfter);

        using var get = await http.GetAsync("/api/tasks/some-id");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }
}
