namespace Orleans.TaskEngine.Workers;

/// <summary>
/// One task a worker has taken: which queue it came from, which attempt it runs and how to cancel its handler.
/// It lives in the worker's <see cref="WorkerLedger"/>, not in one grain activation: an activation that goes away
/// leaves its executions running and the next activation of the same worker finds them, so two activations (each on
/// its own scheduler) may touch one execution at once. Hence the volatile and interlocked members.
/// </summary>
internal sealed class WorkerExecution(string queue) : IDisposable
{
    private volatile int _attempt;
    private volatile string? _cancelReason;
    private volatile Task? _handler;
    private int _released;

    public string Queue { get; } = queue;

    /// <summary>0 until the task grain has started the attempt.</summary>
    public int Attempt
    {
        get => _attempt;
        private set => _attempt = value;
    }

    /// <summary>The attempt's timeout, as the task grain gave it.</summary>
    public int TimeoutSeconds { get; private set; }

    /// <summary>When the handler was started (<see cref="Environment.TickCount64"/>); 0 before.</summary>
    public long StartedAt { get; private set; }

    /// <summary>The handler's run, once started (it may outlive the execution if it ignores its token).</summary>
    public Task? Handler => _handler;

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Why the handler was cancelled (cancel, timeout, worker stopping); the first reason given stands.</summary>
    public string? CancelReason => _cancelReason;

    /// <summary>
    /// The slot is free again: the handler returned (its outcome is on its way to the task grain, and the worker keeps
    /// answering "running" until it is delivered), or it was abandoned.
    /// </summary>
    public bool Released => Volatile.Read(ref _released) == 1;

    /// <summary>The handler ignored its cancellation past the grace period: whatever it returns is dropped.</summary>
    public bool Abandoned { get; set; }

    public void Started(int attempt, int timeoutSeconds, Task handler)
    {
        TimeoutSeconds = timeoutSeconds;
        StartedAt = Environment.TickCount64;
        Attempt = attempt;
        _handler = handler;
    }

    /// <summary>Sets the cancel reason unless one was given already; true if this call set it.</summary>
    public bool TrySetCancelReason(string reason) => Interlocked.CompareExchange(ref _cancelReason, reason, null) is null;

    /// <summary>
    /// Frees the slot, once: true for the first caller only. The handler's return and its abandonment race for it
    /// (possibly from two activations); whoever wins ends the attempt, the other leaves it alone.
    /// </summary>
    public bool TryRelease() => Interlocked.Exchange(ref _released, 1) == 0;

    public void Dispose() => Cancellation.Dispose();
}
