namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>What the API host logs about itself at start.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Banner}")]
    public static partial void Banner(ILogger logger, string banner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys configured (TaskEngine:Api:Keys, TaskEngine:Api:NamedKeys): the API accepts anonymous calls, so it listens on loopback only ({Urls}).")]
    public static partial void NoKeys(ILogger logger, ICollection<string> urls);
}
