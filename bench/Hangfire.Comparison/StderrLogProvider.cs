using Hangfire.Logging;

namespace Hangfire.Comparison;

/// <summary>Hangfire's warnings and errors go to stderr, so the JSON line is all that stdout carries.</summary>
internal sealed class StderrLogProvider : ILogProvider
{
    public ILog GetLogger(string name) => new Logger(name);

    private sealed class Logger(string name) : ILog
    {
        public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logLevel < LogLevel.Warn)
            {
                return false;
            }

            if (messageFunc is not null)
            {
                Console.Error.WriteLine($"{logLevel} {name}: {messageFunc()}{(exception is null ? "" : $" {exception}")}");
            }

            return true;
        }
    }
}
