using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>The API host as users start it: embedded silo in the same process.</summary>
public sealed class EmbeddedApiTests
{
    [Fact]
    public async Task The_embedded_host_runs_tasks_and_keeps_the_dashboard_behind_the_api_keys()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Api:Mode", "Embedded")
            .UseSetting("TaskEngine:Api:Keys:0", "embedded-key")
            .UseSetting("TaskEngine:Cluster:SiloPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:Cluster:GatewayPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture)));
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/dashboard/")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "embedded-key");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard/")).StatusCode);
        var api = new TaskEngineHttpClient(http);
        var task = await api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { hi = 1 }) }, TimeSpan.FromSeconds(30));
        Assert.Equal(TaskState.Completed, task!.Status);
    }

    [Fact]
    public async Task With_the_json_console_formatter_every_line_is_a_json_object_and_the_banner_is_one_of_them()
    {
        var (host, _) = await EngineProcess.StartEmbeddedApiAsync(new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        await using var _ = host;
        await host.WaitForOutputAsync("Orleans.TaskEngine: API host with an embedded silo", TimeSpan.FromSeconds(30));

        var entries = host.Output.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e => Assert.Equal(JsonValueKind.Object, e.ValueKind));
        var banner = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.StartsWith("Orleans.TaskEngine: API host", StringComparison.Ordinal));
        Assert.Equal("Orleans.TaskEngine.Api", banner.GetProperty("Category").GetString());
        Assert.Contains("Task dashboard", banner.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_api_runs_as_a_process_and_completes_200_tasks_submitted_over_http()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync();
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = baseUrl };
        var api = new TaskEngineHttpClient(http);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var payload = i % 2 == 0 ? JsonSerializer.SerializeToElement(new { i }) : JsonSerializer.SerializeToElement(new { ms = 20 });
            ids.Add((await api.SubmitAsync(new SubmitTaskRequest { Type = i % 2 == 0 ? "echo" : "delay", Payload = payload })).Id);
        }

        foreach (var id in ids)
        {
            var task = await api.WaitAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(TaskState.Completed, task!.Status);
        }

        Assert.Contains(host.Output, l => l.Contains("does not survive a restart", StringComparison.Ordinal));
        Assert.Contains(host.Output, l => l.Contains("loopback only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_first_start_with_the_shipped_settings_prints_a_short_log_before_it_listens()
    {
        // The shipped appsettings.json sets Orleans' categories to Warning; before it was read from beside the binary
        // (whatever the current directory), a first start printed 252 lines here, every Orleans options class at Information.
        var folder = Directory.CreateTempSubdirectory("taskengine-first-start-").FullName;
        try
        {
            var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(workingDirectory: folder);
            await using (host)
            {
                await host.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(30));
                var before = host.Output.TakeWhile(l => !l.Contains("Now listening on", StringComparison.Ordinal)).Count();
                Assert.True(before <= 30, $"{before} lines before 'Now listening':\n{host.Tail(60)}");
                Assert.DoesNotContain(host.Output, l => l.StartsWith("info: Orleans.Runtime", StringComparison.Ordinal));

                // One banner: mode, storage and where it lives, and the addresses to open.
                var file = Path.Combine(folder, "data", "taskengine.db");
                await host.WaitForOutputAsync($"Orleans.TaskEngine: API host with an embedded silo; tasks in the SQLite file {file} (kept across restarts)", TimeSpan.FromSeconds(30));
                var root = baseUrl.ToString().TrimEnd('/');
                foreach (var (name, path) in new[] { ("API docs", "/docs"), ("Task dashboard", "/"), ("Orleans Dashboard", "/dashboard"), ("Metrics", "/metrics") })
                {
                    Assert.Contains(host.Output, l => l.Contains(name, StringComparison.Ordinal) && l.TrimEnd().EndsWith(root + path, StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
