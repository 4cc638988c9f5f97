using System.Globalization;
using System.Text.RegularExpressions;
using Orleans.TaskEngine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Orleans.TaskEngine.Tests.Hosting;

/// <summary>
/// What can be checked of the container deployment without a Docker engine (none runs here): the compose file parses
/// and runs the Dockerfile's images the way the README says, and what the Dockerfile publishes exists and starts.
/// </summary>
public sealed partial class DeploymentTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));

    [Fact]
    public void The_compose_file_runs_postgres_the_schema_step_scalable_silos_and_the_api_from_the_dockerfiles_stages()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, "docker-compose.yml")))
        {
            yaml.Load(reader);
        }

        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        Assert.Equal(["postgres", "init-db", "silo", "api"], services.Children.Keys.Select(k => k.ToString()));

        var stages = FinalStages().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var initDb = (YamlMappingNode)services["init-db"];
        Assert.Contains(((YamlMappingNode)initDb["build"])["target"].ToString(), stages);
        Assert.Equal("init-db", Assert.Single((YamlSequenceNode)initDb["command"]).ToString());
        Assert.Contains(((YamlMappingNode)((YamlMappingNode)services["api"])["build"])["target"].ToString(), stages);

        // Scaling: no fixed container name, no fixed host port, and each replica advertises its own address.
        var silo = (YamlMappingNode)services["silo"];
        Assert.False(silo.Children.ContainsKey("container_name"));
        Assert.All((YamlSequenceNode)silo["ports"], p => Assert.DoesNotContain(":", p.ToString(), StringComparison.Ordinal));
        Assert.Equal("*", ((YamlMappingNode)silo["environment"])["TaskEngine__Cluster__AdvertisedHost"].ToString());
        Assert.Equal(((YamlMappingNode)initDb)["image"].ToString(), silo["image"].ToString());
    }

    [Fact]
    public void The_hosts_run_on_the_aspnet_runtime_image_as_a_non_root_user_with_only_their_published_output()
    {
        var stages = FinalStages().ToList();
        Assert.Equal(["silo", "api"], stages.Select(s => s.Name));
        foreach (var (_, text) in stages)
        {
            Assert.Matches(@"(?m)^USER \$APP_UID$", text);
            Assert.Matches(@"(?m)^COPY --from=build /out/\w+ \./$", text);
        }

        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", Dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0 AS runtime$", Dockerfile);
    }

    [Fact]
    public async Task What_the_dockerfile_publishes_exists_and_each_host_starts_from_it()
    {
        var root = Directory.CreateTempSubdirectory("taskengine-docker-").FullName;
        try
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            foreach (Match publish in PublishLine().Matches(Dockerfile))
            {
                var output = Path.Combine(root, publish.Groups["out"].Value);
                var (exitCode, log) = await DotnetCli.RunAsync("dotnet", "publish", Path.Combine(RepositoryPaths.Root, publish.Groups["project"].Value),
                    "-c", configuration, "--no-build", "-o", output);
                Assert.True(exitCode == 0, log);
            }

            foreach (var (name, text) in FinalStages())
            {
                var output = Path.Combine(root, Regex.Match(text, @"COPY --from=build /out/(?<out>\w+) ").Groups["out"].Value);
                var dll = Regex.Match(text, @"ENTRYPOINT \[""dotnet"", ""(?<dll>[^""]+)""\]").Groups["dll"].Value;
                Assert.True(File.Exists(Path.Combine(output, dll)), $"{name}: {dll} is not in what the Dockerfile publishes");

                var port = EngineProcess.FreePort();
                await using var host = EngineProcess.StartProgram(name, "dotnet", [dll], output, new Dictionary<string, string>
                {
                    ["TaskEngine__Storage"] = "Memory",
                    ["TaskEngine__Cluster__SiloPort"] = EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                    ["TaskEngine__Cluster__GatewayPort"] = EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                });
                await host.WaitForOutputAsync("Orleans.TaskEngine: ", TimeSpan.FromSeconds(90));
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                var health = name == "api" ? "/health/ready" : "/health";
                await Eventually.Until(
                    async () => (await http.GetAsync(new Uri($"http://127.0.0.1:{port}{health}"))).IsSuccessStatusCode,
                    ok => ok, TimeSpan.FromSeconds(60), $"{name}'s {health} from the published output");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void An_advertised_host_of_star_is_this_machines_own_host_name()
    {
        Assert.Equal(System.Net.Dns.GetHostName(), new Orleans.TaskEngine.Hosting.TaskEngineClusterOptions { AdvertisedHost = "*" }.AdvertisedHostName());
        Assert.Equal("10.0.0.7", new Orleans.TaskEngine.Hosting.TaskEngineClusterOptions { AdvertisedHost = "10.0.0.7" }.AdvertisedHostName());
    }

    /// <summary>The Dockerfile's stages that run a host: an ENTRYPOINT, built on the runtime stage.</summary>
    private static IEnumerable<(string Name, string Text)> FinalStages() =>
        Regex.Split(Dockerfile, @"(?m)^(?=FROM )")
            .Select(stage => (Name: Regex.Match(stage, @"^FROM \S+ AS (?<name>\S+)").Groups["name"].Value, Text: stage))
            .Where(stage => stage.Text.Contains("ENTRYPOINT", StringComparison.Ordinal));

    [GeneratedRegex(@"dotnet publish (?<project>\S+) -c Release --no-restore -o /out/(?<out>\w+)")]
    private static partial Regex PublishLine();
}
