using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// What one worker runs on this silo: its executions, its busy slots and its counters. Kept by <see cref="WorkerLedgers"/>
/// outside the grain activation, because Orleans may take an activation away while its handlers run (its grain
/// directory partition moved after a silo died elsewhere, a deactivation on request): the handlers go on, and the
/// next activation must still answer that their attempts run here, count their slots as busy and not take them again.
/// Two activations of one worker may use it at once (the old one's continuations still run), so it is thread-safe.
/// </summary>
internal sealed class WorkerLedger
{
    private readonly object _emptyLock = new();
    private TaskCompletionSource? _empty;
    private int _busy;
    private long _completed;
    private long _failed;

    /// <summary>The attempts this worker owns, by task id: the handler runs, or its outcome is on its way to the task.</summary>
    public ConcurrentDictionary<string, WorkerExecution> Running { get; } = new(StringComparer.Ordinal);

    /// <summary>Handlers that ignored their cancellation and still hold a thread, with their task ids.</summary>
    public ConcurrentDictionary<WorkerExecution, string> Abandoned { get; } = new();

    /// <summary>Slots in use: executions whose handler has neither returned nor been abandoned.</summary>
    public int Busy => Volatile.Read(ref _busy);

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public void TakeSlot() => Interlocked.Increment(ref _busy);

    public void FreeSlot() => Interlocked.Decrement(ref _busy);

    public void CountCompleted() => Interlocked.Increment(ref _completed);

    public void CountFailed() => Interlocked.Increment(ref _failed);

    /// <summary>Whether this worker runs the attempt (0: a task taken whose start the task grain has not answered yet).</summary>
    public bool Owns(string taskId, int attempt) =>
        Running.TryGetValue(taskId, out var execution) && (execution.Attempt == 0 || execution.Attempt == attempt);

    /// <summary>
    /// Lets this execution go, and only this one: the same task's next attempt may run here already (after an abandoned
    /// one), under the same task id.
    /// </summary>
    public void Remove(string taskId, WorkerExecution execution)
    {
        Running.TryRemove(KeyValuePair.Create(taskId, execution));
        if (Volatile.Read(ref _empty) is not null && Running.IsEmpty)
        {
            SignalEmpty();
        }
    }

    /// <summary>Completes once no execution is left (at once if none is).</summary>
    public Task WhenEmpty()
    {
        Task empty;
        lock (_emptyLock)
        {
            if (Running.IsEmpty)
            {
                return Task.CompletedTask;
            }

            _empty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            empty = _empty.Task;
        }

        // The last removal may have come between the look and the publication of the signal.
        if (Running.IsEmpty)
        {
            SignalEmpty();
        }

        return empty;
    }

    private void SignalEmpty()
    {
        lock (_emptyLock)
        {
            _empty?.TrySetResult();
            _empty = null;
        }
    }
}
