using System.Diagnostics.Metrics;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Diagnostics;

/// <summary>
/// The engine's metrics (meter <c>Orleans.TaskEngine</c>), for dotnet-counters or an OpenTelemetry exporter: tasks by
/// outcome, queue, type and error kind; retries and timeouts; how long tasks wait for a worker, run, and take to finish.
/// </summary>
public sealed class TaskEngineInstruments : IDisposable
{
    public const string MeterName = "Orleans.TaskEngine";

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _attemptsFailed;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _dispatchLatency;
    private readonly Histogram<double> _runTime;
    private readonly Histogram<double> _completionLatency;

    public TaskEngineInstruments(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _submitted = _meter.CreateCounter<long>("taskengine.tasks.submitted", "{task}", "Tasks accepted.");
        _started = _meter.CreateCounter<long>("taskengine.tasks.started", "{attempt}", "Attempts started on a worker or agent, by type.");
        _finished = _meter.CreateCounter<long>("taskengine.tasks.finished", "{task}",
            "Tasks that reached a terminal status, by queue, type, status and (for failed tasks) the last error's kind.");
        _attemptsFailed = _meter.CreateCounter<long>("taskengine.attempts.failed", "{attempt}", "Attempts that failed, by error kind.");
        _retries = _meter.CreateCounter<long>("taskengine.tasks.retries", "{retry}", "Failed attempts that the engine will try again.");
        _timeouts = _meter.CreateCounter<long>("taskengine.tasks.timeouts", "{attempt}", "Attempts stopped because they ran past their timeout.");
        _dispatchLatency = _meter.CreateHistogram<double>("taskengine.dispatch.latency", "ms", "From ready (pending) to running.");
        _runTime = _meter.CreateHistogram<double>("taskengine.run.time", "ms", "From the last attempt's start to a terminal status.");
        _completionLatency = _meter.CreateHistogram<double>("taskengine.completion.latency", "ms", "From submit to a terminal status.");
    }

    public void Submitted(string queue) => _submitted.Add(1, Tag("queue", queue));

    public void Started(string queue, string type, TimeSpan waited)
    {
        _started.Add(1, Tag("queue", queue), Tag("type", type));
        _dispatchLatency.Record(waited.TotalMilliseconds, Tag("queue", queue));
    }

    /// <param name="queue">The task's queue.</param>
    /// <param name="type">The task's type.</param>
    /// <param name="kind">The attempt's error kind (<see cref="TaskErrorKinds"/>).</param>
    /// <param name="willRetry">The task goes back to wait for another attempt.</param>
    public void AttemptFailed(string queue, string type, string kind, bool willRetry)
    {
        _attemptsFailed.Add(1, Tag("queue", queue), Tag("kind", kind));
        if (willRetry)
        {
            _retries.Add(1, Tag("queue", queue), Tag("type", type));
        }

        if (kind == TaskErrorKinds.Timeout)
        {
            _timeouts.Add(1, Tag("queue", queue), Tag("type", type));
        }
    }

    /// <param name="queue">The task's queue.</param>
    /// <param name="type">The task's type.</param>
    /// <param name="status">Its terminal status.</param>
    /// <param name="errorKind">The last error's kind for a failed task; null otherwise.</param>
    /// <param name="sinceSubmit">From submit to now.</param>
    /// <param name="runTime">From the last attempt's start to now; null when it never started (cancelled while waiting).</param>
    public void Finished(string queue, string type, TaskState status, string? errorKind, TimeSpan sinceSubmit, TimeSpan? runTime)
    {
        var byStatus = new[] { Tag("queue", queue), Tag("status", status.ToWireName()) };
        _finished.Add(1, Tag("queue", queue), Tag("type", type), Tag("status", status.ToWireName()), Tag("error_kind", errorKind ?? ""));
        _completionLatency.Record(sinceSubmit.TotalMilliseconds, byStatus);
        if (runTime is { } run)
        {
            _runTime.Record(run.TotalMilliseconds, Tag("queue", queue), Tag("type", type), Tag("status", status.ToWireName()));
        }
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
