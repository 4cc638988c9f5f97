using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// The <see cref="WorkerLedger"/> of every worker on this silo, by worker id (a singleton per silo). Worker grains take
/// theirs when they activate, so a fresh activation of a worker finds what the previous one left running; the silo's
/// <see cref="WorkerPoolStarter"/> waits on them while it stops.
/// </summary>
public sealed class WorkerLedgers
{
    private readonly ConcurrentDictionary<string, WorkerLedger> _ledgers = new(StringComparer.Ordinal);

    internal WorkerLedger For(string workerId) => _ledgers.GetOrAdd(workerId, static _ => new WorkerLedger());
}
