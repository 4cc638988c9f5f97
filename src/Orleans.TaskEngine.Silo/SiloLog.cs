namespace Orleans.TaskEngine.Silo;

/// <summary>What a silo process logs about itself at start.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Banner}")]
    public static partial void Banner(ILogger logger, string banner);
}
