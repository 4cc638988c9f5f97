using System.Diagnostics.Metrics;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Diagnostics;

/// <summary>
/// The engine's metrics (meter <c>Orleans.TaskEngine</c>), for dotnet-counters or an OpenTelemetry exporter:
/// tasks by outcome, and how long tasks wait for a worker and take to finish.
/// </summary>
public sealed class TaskEngineInstruments : IDisposable
{
    public const string MeterName = "Orleans.TaskEngine";

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _attemptsFailed;
    private readonly Histogram<double> _dispatchLatency;
    private readonly Histogram<double> _completionLatency;

    public TaskEngineInstruments(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _submitted = _meter.CreateCounter<long>("taskengine.tasks.submitted", "{task}", "Tasks accepted.");
        _started = _meter.CreateCounter<long>("taskengine.tasks.started", "{attempt}", "Attempts started on a worker or agent, by type.");
        _finished = _meter.CreateCounter<long>("taskengine.tasks.finished", "{task}", "Tasks that reached a terminal status, by status.");
        _attemptsFailed = _meter.CreateCounter<long>("taskengine.attempts.failed", "{attempt}", "Attempts that failed, by error kind.");
        _dispatchLatency = _meter.CreateHistogram<double>("taskengine.dispatch.latency", "ms", "From ready (pending) to running.");
        _completionLatency = _meter.CreateHistogram<double>("taskengine.completion.latency", "ms", "From submit to a terminal status.");
    }

    public void Submitted(string queue) => _submitted.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Started(string queue, string type, TimeSpan waited)
    {
        _started.Add(1, new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("type", type));
        _dispatchLatency.Record(waited.TotalMilliseconds, new KeyValuePair<string, object?>("queue", queue));
    }

    public void AttemptFailed(string queue, string kind) =>
        _attemptsFailed.Add(1, new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("kind", kind));

    public void Finished(string queue, TaskState status, TimeSpan sinceSubmit)
    {
        var tags = new[] { new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("status", status.ToWireName()) };
        _finished.Add(1, tags);
        _completionLatency.Record(sinceSubmit.TotalMilliseconds, tags);
    }

    public void Dispose() => _meter.Dispose();
}
