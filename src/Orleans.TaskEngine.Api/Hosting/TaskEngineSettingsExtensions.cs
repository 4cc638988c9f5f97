using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.FileProviders;

namespace Orleans.TaskEngine.Api.Hosting;

public static class TaskEngineSettingsExtensions
{
    /// <summary>
    /// Adds the appsettings files that ship beside the binary (from silo-config/api) with lower precedence than
    /// environment variables and the command line, whatever the current directory is.
    /// </summary>
    public static IConfigurationBuilder AddTaskEngineSettings(this IConfigurationBuilder configuration, string environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var index = configuration.Sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource);
        index = index < 0 ? configuration.Sources.Count : index;
        // The file provider is named here: a JSON source without one resolves its path, when the host builds it, against
        // the host's content root (the current directory), where these files are not.
        var beside = new PhysicalFileProvider(AppContext.BaseDirectory);
        var files = new ConfigurationBuilder()
            .AddJsonFile(beside, "appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile(beside, $"appsettings.{environment}.json", optional: true, reloadOnChange: false);
        foreach (var source in files.Sources.Reverse())
        {
            configuration.Sources.Insert(index, source);
        }

        return configuration;
    }
}
