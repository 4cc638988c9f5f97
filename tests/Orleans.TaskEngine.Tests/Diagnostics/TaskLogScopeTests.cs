using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Diagnostics;

/// <summary>What a handler logs carries the task's id, type, attempt and worker as scope fields.</summary>
public sealed partial class TaskLogScopeTests : IClassFixture<TaskLogScopeTests.LoggingCluster>
{
    private readonly LoggingCluster _fixture;

    public TaskLogScopeTests(LoggingCluster fixture) => _fixture = fixture;

    [Fact]
    public async Task A_handlers_log_line_carries_the_task_id_type_attempt_and_worker()
    {
        var id = await _fixture.Engine.SubmitOk("log-line", new { say = "hello" });
        await _fixture.Engine.Finished(id);

        var line = Assert.Single(CapturingLoggerProvider.Lines, l => l.Message == $"handler says hello for {id}");
        Assert.Equal(id, line.Scope["TaskId"]);
        Assert.Equal("log-line", line.Scope["TaskType"]);
        Assert.Equal(1, line.Scope["Attempt"]);
        Assert.False(string.IsNullOrEmpty(line.Scope["WorkerId"] as string));
    }

    public sealed class LoggingCluster() : EngineCluster(1)
    {
        protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<Configurator>();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<ILoggerProvider, CapturingLoggerProvider>();
            siloBuilder.Services.AddTaskHandler<LoggingHandler>("log-line");
        }
    }

    private sealed partial class LoggingHandler(ILogger<LoggingHandler> logger) : ITaskHandler
    {
        public Task<JsonElement?> HandleAsync(TaskHandlerContext context, CancellationToken cancellationToken)
        {
            LogSays(context.Payload.GetProperty("say").GetString()!, context.TaskId);
            return Task.FromResult<JsonElement?>(null);
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "handler says {Word} for {TaskId}")]
        private partial void LogSays(string word, string taskId);
    }

    /// <summary>Keeps every line with the scope fields around it (the in-process silos share this process).</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        public static readonly ConcurrentBag<(string Message, Dictionary<string, object?> Scope)> Lines = [];
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
                provider._scopes.ForEachScope((s, fields) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            fields[key] = value;
                        }
                    }
                }, scope);
                Lines.Add((formatter(state, exception), scope));
            }
        }
    }
}
