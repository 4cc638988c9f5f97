using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>The API host in process (embedded engine, in memory, free ports) with named keys, each with one role.</summary>
public static class KeyedApiFactory
{
    public static WebApplicationFactory<Program> Create(params (string Name, string Key, string Role)[] keys) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("TaskEngine:Api:Mode", "Embedded")
                .UseSetting("TaskEngine:Cluster:SiloPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture))
                .UseSetting("TaskEngine:Cluster:GatewayPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture));
            foreach (var (name, key, role) in keys)
            {
                b.UseSetting($"TaskEngine:Api:NamedKeys:{name}:Key", key).UseSetting($"TaskEngine:Api:NamedKeys:{name}:Roles:0", role);
            }
        });
}
