namespace Orleans.TaskEngine.Storage;

/// <summary>
/// Group commit for the PostgreSQL stores: every operation joins a queue, and one flush loop at a time hands all that
/// is queued (up to a maximum) to one batch write, i.e. one round trip. While a batch is written the next operations
/// gather, so batches grow with the load, with no timer and no added latency when the load is light.
/// </summary>
/// <typeparam name="TOperation">What the owner writes; it may carry fields the batch write fills in (e.g. a read's row).</typeparam>
internal sealed class GroupCommitQueue<TOperation> : IAsyncDisposable
    where TOperation : notnull
{
    private readonly int _maxBatchSize;
    private readonly Func<IReadOnlyList<Pending>, Task> _writeBatch;
    private readonly Func<Exception> _closedError;
    private readonly IEqualityComparer<TOperation>? _sameTarget;

    private readonly Lock _gate = new();
    private List<Pending> _queued = [];
    private Task? _flush; // the running flush loop, null when none runs
    private bool _disposed;
    private long _batchesWritten;

    /// <param name="maxBatchSize">The most operations one batch carries; a longer queue is written in several.</param>
    /// <param name="writeBatch">
    /// Writes one batch. It may fail single operations itself (through their completion); the others succeed when it
    /// returns, and all that are left fail with its exception when it throws.
    /// </param>
    /// <param name="closedError">What an operation queued after disposal fails with.</param>
    /// <param name="sameTarget">
    /// When given, two operations it calls equal never share a batch: the later waits for the next batch, in order.
    /// </param>
    public GroupCommitQueue(
        int maxBatchSize, Func<IReadOnlyList<Pending>, Task> writeBatch, Func<Exception> closedError, IEqualityComparer<TOperation>? sameTarget = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        ArgumentNullException.ThrowIfNull(writeBatch);
        ArgumentNullException.ThrowIfNull(closedError);
        _maxBatchSize = maxBatchSize;
        _writeBatch = writeBatch;
        _closedError = closedError;
        _sameTarget = sameTarget;
    }

    /// <summary>Batches whose write succeeded (for tests: many operations, few batches).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    /// <summary>Queues the operation; the task completes when its batch is written or has failed.</summary>
    public Task EnqueueAsync(TOperation operation, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var pending = new Pending(operation, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromException(_closedError());
            }

            _queued.Add(pending);

            // Task.Run: the loop must not run on the caller's scheduler (a grain's), nor hold the caller up.
            _flush ??= Task.Run(FlushLoopAsync, CancellationToken.None);
        }

        // Only the wait is cancelled: the operation stays queued and may still be written.
        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    /// <summary>Takes no more operations and waits until those already queued are written (or have failed).</summary>
    public async ValueTask DisposeAsync()
    {
        Task? flush;
        lock (_gate)
        {
            _disposed = true;
            flush = _flush;
        }

        if (flush is not null)
        {
            await flush.ConfigureAwait(false);
        }
    }

    /// <summary>Writes batches until the queue is empty; whatever arrives meanwhile is the next batch.</summary>
    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _flush = null;
                    return;
                }

                batch = TakeBatch();
            }

            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the next batch from the queue (under the gate).</summary>
    private List<Pending> TakeBatch()
    {
        List<Pending> batch;
        if (_sameTarget is null)
        {
            if (_queued.Count <= _maxBatchSize)
            {
                batch = _queued;
                _queued = [];
            }
            else
            {
                batch = _queued.GetRange(0, _maxBatchSize);
                _queued.RemoveRange(0, _maxBatchSize);
            }

            return batch;
        }

        batch = new List<Pending>(Math.Min(_queued.Count, _maxBatchSize));
        var targets = new HashSet<TOperation>(_sameTarget);
        var held = new List<Pending>();
        foreach (var pending in _queued)
        {
            if (batch.Count < _maxBatchSize && targets.Add(pending.Operation))
            {
                batch.Add(pending);
            }
            else
            {
                held.Add(pending);
            }
        }

        _queued = held;
        return batch;
    }

    /// <summary>Writes one batch and completes each of its operations; never throws.</summary>
    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            await _writeBatch(batch).ConfigureAwait(false);
            Interlocked.Increment(ref _batchesWritten);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            // Every exception: an operation left uncompleted would hang its caller.
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    /// <summary>A queued operation and its caller's task.</summary>
    internal readonly record struct Pending(TOperation Operation, TaskCompletionSource Completion);
}
