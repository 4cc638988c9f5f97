using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Hosting.Security;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Hosting;

/// <summary>A silo process's own HTTP address: its Orleans Dashboard and <c>/metrics</c> sit behind the API keys.</summary>
public sealed class SiloKeysTests
{
    [Fact]
    public async Task A_silo_process_with_keys_answers_401_on_its_dashboard_and_metrics_without_one_and_serves_them_with_one()
    {
        var port = EngineProcess.FreePort();
        await using var silo = EngineProcess.Start(ProcessCluster.SiloProject, new Dictionary<string, string>
        {
            ["TaskEngine__Storage"] = "Memory",
            ["TaskEngine__Cluster__SiloPort"] = EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskEngine__Cluster__GatewayPort"] = EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["TaskEngine__Api__Keys__0"] = "plain-secret",
            ["TaskEngine__Api__NamedKeys__prometheus__Key"] = "scrape-secret",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        });
        await silo.WaitForOutputAsync($"Now listening on: http://127.0.0.1:{port}", TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        foreach (var path in new[] { "/metrics", "/dashboard", "/dashboard/" })
        {
            using var anonymous = await http.GetAsync(path);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{path} without a key answered {(int)anonymous.StatusCode}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(http, path, "not-a-key")).StatusCode);
        }

        using var scraped = await Get(http, "/metrics", "scrape-secret");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("dotnet_gc_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var dashboard = await Get(http, "/dashboard/", "plain-secret");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public void Keys_are_read_from_the_api_section_plain_and_named_and_compared_whole()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskEngine:Api:Keys:0"] = "k1",
            ["TaskEngine:Api:NamedKeys:ops:Key"] = "k2",
            ["TaskEngine:Api:NamedKeys:ops:Roles:0"] = "admin",
        }).Build();
        var keys = SiloKeys.From(configuration);

        Assert.True(keys.HasKeys);
        Assert.True(keys.Accepts("k1"));
        Assert.True(keys.Accepts("k2"));
        Assert.False(keys.Accepts("k"));
        Assert.False(keys.Accepts("k12"));
        Assert.False(keys.Accepts(""));
        Assert.False(SiloKeys.From(new ConfigurationBuilder().Build()).HasKeys);
    }

    private static Task<HttpResponseMessage> Get(HttpClient http, string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }
}
