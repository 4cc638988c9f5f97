using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Diagnostics;

/// <summary>
/// The queues' gauges (meter <c>Orleans.TaskEngine</c>), each queue exported once, by the silo that holds its
/// scheduler: pending tasks by priority, the age of the oldest pending task, running tasks and free slots. A scheduler publishes its figures at every
/// maintenance pass (so a gauge is at most one <c>MaintenanceInterval</c>, 5 s, behind) and withdraws them when it
/// deactivates; the exporter reads the last published, never the grain's own state.
/// </summary>
public sealed class QueueGauges : IDisposable
{
    private readonly ConcurrentDictionary<string, QueueStatus> _queues = new(StringComparer.Ordinal);
    private readonly Meter _meter;
    private readonly TimeProvider _time;

    public QueueGauges(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        _meter = meters.Create(TaskEngineInstruments.MeterName);
        _meter.CreateObservableGauge("taskengine.queue.depth", Depths, "{task}", "Pending tasks of a queue, by priority.");
        _meter.CreateObservableGauge("taskengine.queue.oldest_pending_age", OldestAges, "s",
            "How long the task waiting longest has been ready (0 when none waits).");
        _meter.CreateObservableGauge("taskengine.queue.running", () => Each(q => q.Running), "{task}", "Tasks of a queue given to a worker or agent.");
        _meter.CreateObservableGauge("taskengine.queue.free_slots", () => Each(q => q.FreeSlots), "{slot}", "Free slots of the workers and agents serving a queue.");
    }

    public void Publish(QueueStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _queues[status.Queue] = status;
    }

    public void Withdraw(string queue) => _queues.TryRemove(queue, out _);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> Depths() =>
        _queues.Values.SelectMany(q => q.PendingByPriority.Select(p =>
            new Measurement<int>(p.Value, new KeyValuePair<string, object?>("queue", q.Queue), new KeyValuePair<string, object?>("priority", p.Key))));

    private IEnumerable<Measurement<double>> OldestAges()
    {
        var now = _time.GetUtcNow();
        return _queues.Values.Select(q => new Measurement<double>(
            q.OldestPendingSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0, new KeyValuePair<string, object?>("queue", q.Queue)));
    }

    private IEnumerable<Measurement<int>> Each(Func<QueueStatus, int> value) =>
        _queues.Values.Select(q => new Measurement<int>(value(q), new KeyValuePair<string, object?>("queue", q.Queue)));
}
