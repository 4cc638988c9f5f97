using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Hosting;

/// <summary>
/// <c>dotnet publish</c> of the API host: it references the silo project, and both ship an appsettings.json, which
/// the SDK refuses to publish side by side unless told which wins (the API's own).
/// </summary>
public sealed class PublishTests
{
    [Fact]
    public async Task The_api_host_publishes_with_its_own_settings_and_the_silo_schema()
    {
        var output = Path.Combine(Path.GetTempPath(), "taskengine-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var project = Path.Combine(RepositoryPaths.Root, "src", "Orleans.TaskEngine.Api");
            var (exitCode, log) = await DotnetCli.RunAsync("dotnet", "publish", project, "-c", configuration, "--no-build", "-o", output);

            Assert.True(exitCode == 0, log);
            var settings = Path.Combine(RepositoryPaths.Root, "silo-config", "api", "appsettings.json");
            Assert.Equal(await File.ReadAllTextAsync(settings), await File.ReadAllTextAsync(Path.Combine(output, "appsettings.json")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "sql"), "*.sql"));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
