namespace Orleans.TaskEngine.Client.Agents;

/// <summary>A task this agent runs: its cancellation, and why it was cancelled, which decides whether to report.</summary>
internal sealed class RunningAgentTask(AgentTask task, CancellationToken hardStop) : IDisposable
{
    private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
    private volatile bool _dropped;

    public AgentTask Task { get; } = task;

    /// <summary>Fires when the server cancels the task, its lease goes stale, or the agent stops hard.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The result must not be reported: the server no longer wants it from us.</summary>
    public bool Dropped => _dropped || Token.IsCancellationRequested;

    public Task Completion { get; set; } = System.Threading.Tasks.Task.CompletedTask;

    /// <summary>The server cancelled the task or refused its lease: stop working on it and drop the result.</summary>
    public void Drop()
    {
        _dropped = true;
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished in the meantime: nothing left to stop.
        }
    }

    public void Dispose() => _cancel.Dispose();
}
