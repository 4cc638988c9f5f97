using Microsoft.Extensions.Configuration.EnvironmentVariables;

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
        var files = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true);
        foreach (var source in files.Sources.Reverse())
        {
            configuration.Sources.Insert(index, source);
        }

        return configuration;
    }
}
