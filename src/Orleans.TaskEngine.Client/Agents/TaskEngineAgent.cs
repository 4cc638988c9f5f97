using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Client.Agents;

/// <summary>
/// A worker outside the cluster that serves task types over HTTP: it registers, long-polls for as many tasks as it has
/// free slots, runs each through the handler of its type, reports the outcome with the task's lease token, and
/// heartbeats (which keeps its leases alive). A 404 on heartbeat or poll means the server declared it dead: it registers
/// again under a new id. A stop deregisters (no new work), lets running tasks finish within the grace period, then
/// fires their tokens.
/// </summary>
/// <example>
/// <code>
/// await using var agent = new TaskEngineAgent(new TaskEngineAgentOptions { BaseAddress = new("http://127.0.0.1:5080/") });
/// agent.Handle("resize", async (task, ct) => await ResizeAsync(task.PayloadAs&lt;ResizeRequest&gt;()!, ct));
/// await agent.RunAsync(stoppingToken);
/// </code>
/// </example>
public sealed partial class TaskEngineAgent : IAsyncDisposable
{
    private const int ReportAttempts = 5;
    private static readonly JsonSerializerOptions Json = TaskEngineJson.Options;

    private readonly TaskEngineAgentOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Func<AgentTask, CancellationToken, Task<object?>>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningAgentTask> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _registering = new(1, 1);

    // Three stages of a stop: no new polls, abort the poll in flight (after the DELETE), cancel running tasks.
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly CancellationTokenSource _abortPoll = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _stopHeartbeats = new();

    private volatile AgentSession? _session;
    private Task? _run;
    private TaskEngineApiException? _fatal;
    private int _disposed;
    private TimeSpan _lastCpu;
    private long _lastCpuAt = Stopwatch.GetTimestamp();

    public TaskEngineAgent(TaskEngineAgentOptions options, ILogger<TaskEngineAgent>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        if (options.HttpClient is { } http)
        {
            _http = http;
        }
        else
        {
            var address = options.BaseAddress!.ToString();
            _http = new HttpClient
            {
                BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/"),
                // A long poll holds the request for PollWaitSeconds; the timeout must outlast it.
                Timeout = TimeSpan.FromSeconds(options.PollWaitSeconds + 30),
            };
            _ownsHttp = true;
        }
    }

    /// <summary>The id of the current registration (a new one after the server declared the agent dead), or null before.</summary>
    public string? AgentId => _session?.Id;

    /// <summary>Ids of the tasks running now.</summary>
    public IReadOnlyCollection<string> RunningTaskIds => _running.Keys.ToArray();

    /// <summary>Called as each task arrives, before its handler starts (e.g. to timestamp dispatch). Must be quick.</summary>
    public Action<AgentTask>? OnTaskReceived { get; set; }

    /// <summary>
    /// Serves <paramref name="type"/> with <paramref name="handler"/>; its result is reported as JSON. An exception fails
    /// the task with the exception's type name as the kind (<see cref="PermanentTaskException"/>: no retry). Register
    /// every handler before <see cref="RunAsync"/>: the types are sent when the agent registers.
    /// </summary>
    public TaskEngineAgent Handle(string type, Func<AgentTask, CancellationToken, Task<object?>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(handler);
        if (_run is not null)
        {
            throw new InvalidOperationException("Handlers are sent when the agent registers: add them before RunAsync.");
        }

        _handlers[type] = handler;
        return this;
    }

    /// <summary>
    /// Registers and serves tasks until <paramref name="cancellationToken"/> fires or <see cref="StopAsync"/> is called;
    /// either stops gracefully (deregister, let running tasks finish within the grace period), then this returns.
    /// A refused registration (e.g. 401, 400) throws <see cref="TaskEngineApiException"/>.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (_handlers.Count == 0)
        {
            throw new InvalidOperationException("No handlers: call Handle(type, handler) before RunAsync.");
        }

        if (Interlocked.CompareExchange(ref _run, Task.CompletedTask, null) is not null)
        {
            throw new InvalidOperationException("The agent runs once; build a new one to run again.");
        }

        var run = RunCoreAsync(cancellationToken);
        _run = run;
        return run;
    }

    /// <summary>
    /// Stops gracefully and waits until the agent has stopped. When <paramref name="cancellationToken"/> fires first,
    /// running tasks' tokens fire at once (a hard stop) and their results are dropped.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopRequested.CancelAsync();
        using var hard = cancellationToken.Register(() => _hardStop.Cancel());
        if (_run is { } run)
        {
            // A run that failed (a refused registration) already told RunAsync's caller; stopping it is not an error.
            await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _slots.Dispose();
        _registering.Dispose();
        _stopRequested.Dispose();
        _abortPoll.Dispose();
        _hardStop.Dispose();
        _stopHeartbeats.Dispose();
    }

    private async Task RunCoreAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var stopOnCancel = cancellationToken.Register(() => _stopRequested.Cancel());
        try
        {
            await RegisterAsync(staleId: null, _stopRequested.Token);
        }
        catch (OperationCanceledException) when (_stopRequested.IsCancellationRequested)
        {
            return;
        }

        var heartbeats = HeartbeatLoopAsync(_stopHeartbeats.Token);
        var polling = PollLoopAsync();
        try
        {
            await Task.Delay(Timeout.Infinite, _stopRequested.Token);
        }
        catch (OperationCanceledException)
        {
            // Stop requested.
        }

        // DELETE before aborting the poll in flight, so the server hands out nothing more that would be lost with it.
        await DeregisterAsync();
        await _abortPoll.CancelAsync();
        await polling;
        await DrainAsync();
        await _stopHeartbeats.CancelAsync();
        await heartbeats;
        if (_fatal is not null)
        {
            throw _fatal;
        }
    }
}
