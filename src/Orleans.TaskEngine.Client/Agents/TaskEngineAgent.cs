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

    private async Task RegisterAsync(string? staleId, CancellationToken cancellationToken)
    {
        await _registering.WaitAsync(cancellationToken);
        try
        {
            if (_session?.Id != staleId)
            {
                return; // the other loop registered again already
            }

            var body = new AgentRegistration(_options.Name, _options.Queues, _handlers.Keys.Order(StringComparer.Ordinal).ToArray(), _options.Concurrency, _options.Labels);
            for (var attempt = 0; ; attempt++)
            {
                TimeSpan delay;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, "api/agents", body, cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        var registered = await response.Content.ReadFromJsonAsync<AgentRegistered>(Json, cancellationToken)
                            ?? throw new TaskEngineApiException("Registering answered with an empty body.");
                        _session = new AgentSession(registered.Id, TimeSpan.FromSeconds(Math.Max(0.01, registered.HeartbeatSeconds)));
                        LogRegistered(_logger, _options.Name, registered.Id, _session.HeartbeatInterval);
                        return;
                    }

                    var refused = await RefusalAsync(response, cancellationToken);
                    if (!IsTransient(response.StatusCode))
                    {
                        throw refused;
                    }

                    delay = refused.RetryAfter ?? Backoff(attempt);
                    LogTransientFailure(_logger, "Registering", delay, refused);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    delay = Backoff(attempt);
                    LogTransientFailure(_logger, "Registering", delay, ex);
                }

                await Task.Delay(delay, cancellationToken);
            }
        }
        finally
        {
            _registering.Release();
        }
    }

    private async Task PollLoopAsync()
    {
        for (var failures = 0; !_stopRequested.IsCancellationRequested;)
        {
            try
            {
                // Poll only with a free slot, and ask for every free slot at once.
                await _slots.WaitAsync(_stopRequested.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var reserved = 1;
            while (reserved < _options.Concurrency && _slots.Wait(0))
            {
                reserved++;
            }

            var session = _session!;
            var path = FormattableString.Invariant($"api/agents/{Uri.EscapeDataString(session.Id)}/poll?wait={_options.PollWaitSeconds}");
            AgentPollAnswer? answer = null;
            TimeSpan? delay = null;
            var unknown = false;
            try
            {
                using var response = await SendAsync(HttpMethod.Post, path, new { }, _abortPoll.Token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    unknown = true;
                }
                else if (response.IsSuccessStatusCode)
                {
                    answer = await response.Content.ReadFromJsonAsync<AgentPollAnswer>(Json, _abortPoll.Token);
                    failures = 0;
                }
                else
                {
                    var refused = await RefusalAsync(response, _abortPoll.Token);
                    delay = refused.RetryAfter ?? Backoff(failures++);
                    LogTransientFailure(_logger, "Polling", delay.Value, refused);
                }
            }
            catch (OperationCanceledException) when (_abortPoll.IsCancellationRequested || _stopRequested.IsCancellationRequested)
            {
                _slots.Release(reserved);
                return;
            }
            catch (Exception ex) when (IsTransient(ex, _abortPoll.Token))
            {
                delay = Backoff(failures++);
                LogTransientFailure(_logger, "Polling", delay.Value, ex);
            }

            if (unknown)
            {
                _slots.Release(reserved);
                LogUnknownAgent(_logger, session.Id);
                if (!await TryRegisterAgainAsync(session.Id))
                {
                    return;
                }

                continue;
            }

            var tasks = answer?.Tasks ?? [];
            Cancel(answer?.CancelledTaskIds);
            for (var i = 0; i < tasks.Count; i++)
            {
                Start(tasks[i], holdsSlot: i < reserved);
            }

            if (tasks.Count < reserved)
            {
                _slots.Release(reserved - tasks.Count);
            }

            if (delay is { } wait)
            {
                try
                {
                    await Task.Delay(wait, _stopRequested.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <returns>False when the agent is stopping, or the server refused outright (kept to rethrow from RunAsync).</returns>
    private async Task<bool> TryRegisterAgainAsync(string staleId)
    {
        try
        {
            await RegisterAsync(staleId, _stopRequested.Token);
            return true;
        }
        catch (OperationCanceledException) when (_stopRequested.IsCancellationRequested)
        {
            return false;
        }
        catch (TaskEngineApiException ex)
        {
            _fatal = ex;
            await _stopRequested.CancelAsync();
            return false;
        }
    }

    private void Start(LeasedTask leased, bool holdsSlot)
    {
        var task = new AgentTask(leased, this);
        var running = new RunningAgentTask(task, _hardStop.Token);
        // The same task again means our earlier lease of it went stale: that run's result would be refused.
        _running.AddOrUpdate(task.Id, running, (_, earlier) =>
        {
            earlier.Drop();
            return running;
        });
        try
        {
            OnTaskReceived?.Invoke(task);
        }
        catch (Exception ex)
        {
            LogReceivedHookFailed(_logger, task.Id, ex);
        }

        running.Completion = RunTaskAsync(running, holdsSlot);
    }

    private async Task RunTaskAsync(RunningAgentTask running, bool holdsSlot)
    {
        var task = running.Task;
        try
        {
            if (!holdsSlot)
            {
                // The server sent more than the slots we asked with (its count differs from ours): wait for one.
                await _slots.WaitAsync(running.Token);
                holdsSlot = true;
            }

            await Task.Yield(); // the handler never runs on the poll loop
            object report;
            try
            {
                var handler = _handlers.GetValueOrDefault(task.Type)
                    ?? throw new InvalidOperationException($"This agent has no handler for type '{task.Type}'.");
                report = new TaskCompletionReport(task.LeaseToken, await handler(task, running.Token));
            }
            catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var error = new AgentTaskError(ex.Message, ex.GetType().Name, ex is PermanentTaskException ? true : null);
                report = new TaskFailureReport(task.LeaseToken, error);
            }

            if (!running.Dropped)
            {
                await ReportAsync(running, report);
            }
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested || _hardStop.IsCancellationRequested)
        {
            // Cancelled or stopped hard before it could run or report: the lease expires and the task runs elsewhere.
        }
        finally
        {
            if (holdsSlot)
            {
                _slots.Release();
            }

            _running.TryRemove(KeyValuePair.Create(task.Id, running));
            running.Dispose();
        }
    }

    /// <summary>Reports an outcome, retrying what may not have arrived: a repeat with the same lease token is safe.</summary>
    private async Task ReportAsync(RunningAgentTask running, object report)
    {
        var task = running.Task;
        var verb = report is TaskCompletionReport ? "complete" : "fail";
        var path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/{verb}";
        Exception? last = null;
        for (var attempt = 0; attempt < ReportAttempts; attempt++)
        {
            TimeSpan delay;
            try
            {
                using var response = await SendAsync(HttpMethod.Post, path, report, _hardStop.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    LogStaleLease(_logger, task.Id);
                    return;
                }

                var refused = await RefusalAsync(response, _hardStop.Token);
                if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge && report is TaskCompletionReport)
                {
                    // A result the server cannot keep fails the task: running it again would make the same result.
                    var error = new AgentTaskError($"The result is larger than the server accepts: {refused.Detail}", "ResultTooLarge", true);
                    report = new TaskFailureReport(task.LeaseToken, error);
                    verb = "fail";
                    path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/fail";
                    continue;
                }

                if (!IsTransient(response.StatusCode))
                {
                    LogReportRefused(_logger, task.Id, verb, (int)response.StatusCode, refused.Message);
                    return;
                }

                last = refused;
                delay = refused.RetryAfter ?? Backoff(attempt);
            }
            catch (Exception ex) when (IsTransient(ex, _hardStop.Token))
            {
                last = ex;
                delay = Backoff(attempt);
            }

            await Task.Delay(delay, _hardStop.Token);
        }

        LogReportGaveUp(_logger, task.Id, verb, last);
    }

    internal async Task ReportProgressAsync(AgentTask task, double? percent, string? message, CancellationToken cancellationToken)
    {
        var path = $"api/tasks/{Uri.EscapeDataString(task.Id)}/progress";
        try
        {
            using var response = await SendAsync(HttpMethod.Post, path, new TaskProgressReport(task.LeaseToken, percent, message), cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict && _running.TryGetValue(task.Id, out var running) && running.Task == task)
            {
                LogStaleLease(_logger, task.Id);
                running.Drop();
            }
            else if (!response.IsSuccessStatusCode)
            {
                LogProgressFailed(_logger, task.Id, await RefusalAsync(response, cancellationToken));
            }
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            LogProgressFailed(_logger, task.Id, ex);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = _session!;
            try
            {
                await Task.Delay(session.HeartbeatInterval, cancellationToken);
                var path = $"api/agents/{Uri.EscapeDataString(session.Id)}/heartbeat";
                using var response = await SendAsync(HttpMethod.Post, path, Heartbeat(), cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    if (_stopRequested.IsCancellationRequested)
                    {
                        continue; // deregistered: the leases finish or expire on their own
                    }

                    LogUnknownAgent(_logger, session.Id);
                    await TryRegisterAgainAsync(session.Id);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await RefusalAsync(response, cancellationToken);
                }

                var answer = await response.Content.ReadFromJsonAsync<AgentHeartbeatAnswer>(Json, cancellationToken);
                Cancel(answer?.CancelledTaskIds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogHeartbeatFailed(_logger, session.Id, ex);
            }
        }
    }

    private AgentHeartbeat Heartbeat()
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var now = Stopwatch.GetTimestamp();
        var wall = Stopwatch.GetElapsedTime(_lastCpuAt, now);
        var cpuPercent = wall > TimeSpan.Zero ? (cpu - _lastCpu) / wall / Environment.ProcessorCount * 100 : 0;
        (_lastCpu, _lastCpuAt) = (cpu, now);
        return new AgentHeartbeat(_running.Keys.ToArray(), Math.Round(cpuPercent, 1), self.WorkingSet64);
    }

    private void Cancel(IReadOnlyList<string>? taskIds)
    {
        foreach (var id in taskIds ?? [])
        {
            if (_running.TryGetValue(id, out var running))
            {
                LogTaskCancelled(_logger, id);
                running.Drop();
            }
        }
    }

    private async Task DeregisterAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        LogStopping(_logger, session.Id, _options.StopGracePeriod, _running.Count);
        try
        {
            using var response = await SendAsync(HttpMethod.Delete, $"api/agents/{Uri.EscapeDataString(session.Id)}", null, _hardStop.Token);
        }
        catch (Exception ex) when (IsTransient(ex, _hardStop.Token))
        {
            LogDeregisterFailed(_logger, session.Id, ex);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            // Stopping hard: no time to say goodbye; missed heartbeats will tell the server.
        }
    }

    private async Task DrainAsync()
    {
        var all = Task.WhenAll(_running.Values.Select(r => r.Completion));
        var grace = Task.Delay(_options.StopGracePeriod, _hardStop.Token);
        if (await Task.WhenAny(all, grace) != all)
        {
            LogHardStop(_logger, _running.Count);
            await _hardStop.CancelAsync();
        }

        // After a hard stop this waits for handlers to observe their token.
        await all;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        if (_options.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>An error answer as an exception carrying its status and (short) body, for logs and refusals.</summary>
    private static async Task<TaskEngineApiException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new TaskEngineApiException(response.StatusCode, response.ReasonPhrase, body.Length > 500 ? body[..500] : body, response.Headers.RetryAfter?.Delta);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>Connection failures and HttpClient timeouts (not our own cancellation) are worth another try.</summary>
    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or JsonException
        || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(attempt, 10))));
}
