using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// The <see cref="WorkerLedger"/> of every worker on this silo, by worker id (a singleton per silo). Worker grains take
/// theirs when they activate, so a fresh activation of a worker finds what the previous one left running; the silo's
/// <see cref="WorkerPoolStarter"/> waits on them while it stops.
/// </summary>
public sealed class WorkerLedgers : IDisposable
{
    private readonly ConcurrentDictionary<string, WorkerLedger> _ledgers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopped = new();

    /// <summary>
    /// Fires once the silo's workers have stopped (their drain is over): what still waits to report an attempt's end
    /// then gives up, as the silo is going and the task's liveness check will find the worker gone.
    /// </summary>
    internal CancellationToken Stopped => _stopped.Token;

    internal WorkerLedger For(string workerId) => _ledgers.GetOrAdd(workerId, static _ => new WorkerLedger());

    internal void MarkStopped() => _stopped.Cancel();

    public void Dispose() => _stopped.Dispose();
}
