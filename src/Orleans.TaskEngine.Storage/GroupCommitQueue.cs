using System.Runtime.InteropServices;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// Group commit for the PostgreSQL stores: every operation joins a queue, and one flush loop at a time hands all that
/// is queued (up to a maximum) to one batch write, i.e. one round trip. While a batch is written the next operations
/// gather, so batches grow with the load, with no timer and no added latency when the load is light.
/// The queue holds at most its capacity: past it a caller waits (asynchronously) for a batch to leave, so a database
/// that falls behind slows its callers down instead of letting the queue grow without bound.
/// </summary>
/// <typeparam name="TOperation">What the owner writes; it may carry fields the batch write fills in (e.g. a read's row).</typeparam>
internal sealed class GroupCommitQueue<TOperation> : IAsyncDisposable
    where TOperation : notnull
{
    private readonly int _maxBatchSize;
    private readonly int _capacity;
    private readonly Func<IReadOnlyList<Pending>, Task> _writeBatch;
    private readonly Func<Exception> _closedError;

    private readonly Lock _gate = new();

    // The operations the next batches take, in order. With a same-target rule it holds at most one operation per
    // target; the later ones of that target wait in _followers and move here, one at a time, as each earlier one is
    // taken. Either way a batch is taken from the head, at a cost of what it takes, never of what is queued behind it.
    private readonly Queue<Pending> _queued = new();

    // Only with a same-target rule: a key per target with an operation in _queued, its later operations in order
    // (null when there are none).
    private readonly Dictionary<TOperation, Queue<Pending>?>? _followers;

    // Callers waiting for room, first come first in.
    private readonly LinkedList<Waiter> _waiting = new();

    private int _count; // operations in _queued and in _followers
    private Task? _flush; // the running flush loop, null when none runs
    private bool _disposed;
    private long _batchesWritten;

    /// <param name="maxBatchSize">The most operations one batch carries; a longer queue is written in several.</param>
    /// <param name="capacity">The most operations queued (not counting the batch being written); later callers wait.</param>
    /// <param name="writeBatch">
    /// Writes one batch. It may fail single operations itself (through their completion); the others succeed when it
    /// returns, and all that are left fail with its exception when it throws.
    /// </param>
    /// <param name="closedError">What an operation queued after disposal, or still waiting for room then, fails with.</param>
    /// <param name="sameTarget">
    /// When given, two operations it calls equal never share a batch: the later waits for the next batch, in order.
    /// </param>
    public GroupCommitQueue(
        int maxBatchSize, int capacity, Func<IReadOnlyList<Pending>, Task> writeBatch, Func<Exception> closedError,
        IEqualityComparer<TOperation>? sameTarget = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(writeBatch);
        ArgumentNullException.ThrowIfNull(closedError);
        _maxBatchSize = maxBatchSize;
        _capacity = capacity;
        _writeBatch = writeBatch;
        _closedError = closedError;
        _followers = sameTarget is null ? null : new Dictionary<TOperation, Queue<Pending>?>(sameTarget);
    }

    /// <summary>Batches whose write succeeded (for tests: many operations, few batches).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    /// <summary>
    /// Queues the operation, or waits for room first when the queue is full; the task completes when its batch is
    /// written or has failed. Cancelling while it waits for room drops the operation; once it is queued, only the wait
    /// is cancelled and the operation may still be written.
    /// </summary>
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

            // Behind those already waiting, so a caller never overtakes one that came first.
            if (_count < _capacity && _waiting.Count == 0)
            {
                AddLocked(pending);

                // Task.Run: the loop must not run on the caller's scheduler (a grain's), nor hold the caller up.
                _flush ??= Task.Run(FlushLoopAsync, CancellationToken.None);
            }
            else
            {
                var waiter = new Waiter(pending);
                var node = _waiting.AddLast(waiter);
                if (cancellationToken.CanBeCanceled)
                {
                    waiter.Cancellation = cancellationToken.Register(() => GiveUp(node, cancellationToken));
                }
            }
        }

        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    /// <summary>
    /// Takes no more operations, fails those still waiting for room, and waits until those already queued are written
    /// (or have failed).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task? flush;
        List<Waiter> refused;
        lock (_gate)
        {
            _disposed = true;
            flush = _flush;
            refused = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var waiter in refused)
        {
            waiter.Cancellation.Unregister();
            waiter.Pending.Completion.TrySetException(_closedError());
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

                batch = TakeBatchLocked();
                AdmitWaitingLocked();
            }

            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private void AddLocked(Pending pending)
    {
        _count++;
        if (_followers is not null)
        {
            ref var followers = ref CollectionsMarshal.GetValueRefOrAddDefault(_followers, pending.Operation, out var targetQueued);
            if (targetQueued)
            {
                (followers ??= new Queue<Pending>()).Enqueue(pending);
                return;
            }
        }

        _queued.Enqueue(pending);
    }

    /// <summary>Removes the next batch from the head of the queue; each operation taken lets its target's next one in.</summary>
    private List<Pending> TakeBatchLocked()
    {
        var batch = new List<Pending>(Math.Min(_queued.Count, _maxBatchSize));
        while (batch.Count < _maxBatchSize && _queued.TryDequeue(out var pending))
        {
            batch.Add(pending);
        }

        _count -= batch.Count;
        if (_followers is not null)
        {
            // Only now: a follower let in while the batch was being taken could have joined its predecessor's batch.
            foreach (var taken in batch)
            {
                if (_followers.TryGetValue(taken.Operation, out var followers) && followers is { Count: > 0 })
                {
                    _queued.Enqueue(followers.Dequeue());
                }
                else
                {
                    _followers.Remove(taken.Operation);
                }
            }
        }

        return batch;
    }

    /// <summary>Lets callers that wait for room in, first come first in, as far as the room goes.</summary>
    private void AdmitWaitingLocked()
    {
        while (_count < _capacity && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            first.Value.Cancellation.Unregister();
            AddLocked(first.Value.Pending);
        }
    }

    /// <summary>A caller stopped waiting for room: its operation is dropped unwritten (unless it got in meanwhile).</summary>
    private void GiveUp(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return;
            }

            _waiting.Remove(node);
        }

        node.Value.Pending.Completion.TrySetCanceled(cancellationToken);
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

    /// <summary>A caller waiting for room, and the registration that drops it should it give up.</summary>
    private sealed class Waiter(Pending pending)
    {
        public Pending Pending { get; } = pending;

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
