namespace Orleans.TaskEngine.Workers;

/// <summary>One task a worker has taken: which queue it came from and how to cancel its handler.</summary>
internal sealed class WorkerExecution(string queue) : IDisposable
{
    public string Queue { get; } = queue;

    /// <summary>0 until the task grain has started the attempt.</summary>
    public int Attempt { get; set; }

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>
    /// The handler is done and its slot is free again; the outcome is still on its way to the task grain, so the
    /// worker keeps answering "running" for it until the report is delivered.
    /// </summary>
    public bool Reporting { get; set; }

    /// <summary>Why the handler was cancelled (cancel, timeout, worker stopping).</summary>
    public string? CancelReason { get; set; }

    public void Dispose() => Cancellation.Dispose();
}
