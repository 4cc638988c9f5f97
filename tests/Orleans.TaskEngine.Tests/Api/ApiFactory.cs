using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// The API host in-process, over a TestCluster's client (mode External), with extra settings; <paramref name="grains"/>
/// replaces the grain factory the endpoints use (to intercept calls), the cluster's own by default.
/// </summary>
public sealed class ApiFactory(IClusterClient cluster, IReadOnlyDictionary<string, string?> settings, IGrainFactory? grains = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("TaskEngine:Api:Mode", "External");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(cluster);
            services.AddSingleton(grains ?? cluster);
        });
    }
}
