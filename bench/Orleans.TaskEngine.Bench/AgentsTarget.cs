using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Client.Agents;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>
/// The REST API host in this process (embedded engine) on a loopback port, with N <see cref="TaskEngineAgent"/>s polling
/// it over HTTP and serving <see cref="TaskType"/>; submits and waits go through the REST client like
/// <see cref="RestTarget"/>. Dispatch is timed here, on one clock: from the start of a submit to the agent's receipt.
/// </summary>
public sealed class AgentsTarget : IBenchTarget, IDispatchTimer
{
    /// <summary>Returns its payload; waits first when the payload has <c>ms</c> (from <c>--handler delay:ms</c>).</summary>
    public const string TaskType = "bench.agent";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _api;
    private readonly RestTarget _rest;
    private readonly List<TaskEngineAgent> _agents = [];
    private readonly List<Task> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, long> _submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _received = new(StringComparer.Ordinal);

    private AgentsTarget(WebApplication api, string url)
    {
        _api = api;
        _rest = new RestTarget(url, apiKey: null);
    }

    public static async Task<AgentsTarget> StartAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{EmbeddedTarget.FreePort()}";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddTaskEngineSettings(builder.Environment.EnvironmentName);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["TaskEngine:Storage"] = options.StorageSetting,
            ["ConnectionStrings:TaskEngine"] = options.EffectiveConnection,
            ["TaskEngine:Sqlite:Synchronous"] = options.SqliteSync,
            ["TaskEngine:Database:InitializeOnStart"] = options.Storage == "postgres" ? "true" : null,
            ["TaskEngine:Queues:DefaultMaxPending"] = "1000000",
            // The agents' polls and heartbeats share the loopback client's rate bucket with the submits.
            ["TaskEngine:Api:RateLimitPerSecond"] = "1000000",
            ["TaskEngine:Api:RateLimitBurst"] = "1000000",
            ["TaskEngine:Cluster:SiloPort"] = EmbeddedTarget.FreePort(),
            ["TaskEngine:Cluster:GatewayPort"] = EmbeddedTarget.FreePort(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // stdout carries the one JSON line of figures; the engine's log goes to stderr.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddTaskEngineApi();
        var api = builder.Build();
        api.UseTaskEngineApi();
        await api.StartAsync(cancellationToken);

        var target = new AgentsTarget(api, url);
        try
        {
            await target.StartAgentsAsync(options, url, cancellationToken);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }

        return target;
    }

    private async Task StartAgentsAsync(BenchOptions options, string url, CancellationToken cancellationToken)
    {
        for (var i = 0; i < options.Agents; i++)
        {
            var agent = new TaskEngineAgent(new TaskEngineAgentOptions
            {
                BaseAddress = new Uri(url + "/"),
                Name = $"bench-{i}",
                Concurrency = options.AgentConcurrency,
                StopGracePeriod = TimeSpan.FromSeconds(10),
            });
            agent.OnTaskReceived = task => _received.TryAdd(task.Id, Stopwatch.GetTimestamp());
            agent.Handle(TaskType, RunAsync);
            _agents.Add(agent);
            _runs.Add(agent.RunAsync(_stop.Token));
        }

        // Measure only once every agent is registered; a refused registration ends its run, so fail at once then.
        var deadline = DateTime.UtcNow + StartTimeout;
        while (_agents.Any(a => a.AgentId is null))
        {
            if (_runs.FirstOrDefault(r => r.IsCompleted) is { } ended)
            {
                await ended;
                throw new InvalidOperationException("An agent stopped before it registered.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The agents did not all register within {StartTimeout}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<object?> RunAsync(AgentTask task, CancellationToken cancellationToken)
    {
        if (task.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && task.Payload.TryGetProperty("ms", out var ms))
        {
            await Task.Delay(ms.GetInt32(), cancellationToken);
        }

        return task.Payload;
    }

    public async Task<string> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken)
    {
        // Taken before the call: an agent may receive the task before the submit's answer arrives.
        var begin = Stopwatch.GetTimestamp();
        var id = await _rest.SubmitAsync(submission, cancellationToken);
        _submitted[id] = begin;
        return id;
    }

    public Task<TaskOutcome?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken) =>
        _rest.WaitAsync(id, timeout, cancellationToken);

    public double? DispatchMs(string taskId) =>
        _submitted.TryGetValue(taskId, out var begin) && _received.TryGetValue(taskId, out var received)
            ? Stopwatch.GetElapsedTime(begin, received).TotalMilliseconds
            : null;

    /// <summary>Engine, API host and agents share this process: its figures include all three.</summary>
    public long? EnginePeakWorkingSet
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.PeakWorkingSet64;
        }
    }

    public TimeSpan? EngineCpu
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }

    public int Throttled => _rest.Throttled;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _rest.DisposeAsync();
        await _api.StopAsync();
        await _api.DisposeAsync();
        _stop.Dispose();
    }
}
