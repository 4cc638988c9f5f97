using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.TaskEngine.Storage;

namespace Orleans.TaskEngine.Tests.Storage;

/// <summary>
/// The group commit under both PostgreSQL stores, without a database: the batch write is a delegate that records each
/// batch and, until the test opens its gate, holds the first one in flight, so what queues behind it is known.
/// </summary>
public sealed class GroupCommitQueueTests
{
    // Far beyond what any of these takes; a hang fails the test instead of the run.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly EqualityComparer<string> SameLetter =
        EqualityComparer<string>.Create((a, b) => a![0] == b![0], s => s[0].GetHashCode());

    [Fact]
    public async Task A_caller_past_the_capacity_waits_for_room_and_a_cancelled_wait_drops_its_operation_unwritten()
    {
        var writer = new GatedWriter();
        await using var queue = new GroupCommitQueue<string>(maxBatchSize: 2, capacity: 4, writer.WriteAsync, Closed);
        var first = queue.EnqueueAsync("a0");
        await writer.FirstBatchInFlight;

        var queued = Enumerable.Range(1, 4).Select(i => queue.EnqueueAsync($"a{i}")).ToList();
        using var cancel = new CancellationTokenSource();
        var cancelled = queue.EnqueueAsync("a5", cancel.Token);
        var waiting = queue.EnqueueAsync("a6");
        Assert.False(cancelled.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline));
        Assert.False(waiting.IsCompleted);

        writer.Open();
        await Task.WhenAll([first, .. queued, waiting]).WaitAsync(Deadline);

        // Room comes as each batch is taken: a6 goes in once a1 and a2 have left the queue; a5 gave up before.
        Assert.Equal([["a0"], ["a1", "a2"], ["a3", "a4"], ["a6"]], writer.Batches);
    }

    [Fact]
    public async Task Disposing_writes_what_is_queued_and_fails_the_callers_still_waiting_for_room()
    {
        var writer = new GatedWriter();
        var queue = new GroupCommitQueue<string>(maxBatchSize: 10, capacity: 2, writer.WriteAsync, Closed);
        var first = queue.EnqueueAsync("a0");
        await writer.FirstBatchInFlight;
        var queued = new[] { queue.EnqueueAsync("a1"), queue.EnqueueAsync("a2") };
        var waiting = queue.EnqueueAsync("a3");

        var disposed = queue.DisposeAsync().AsTask();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(Deadline));
        Assert.Equal("closed", refused.Message);

        writer.Open();
        await disposed.WaitAsync(Deadline);
        await Task.WhenAll([first, .. queued]).WaitAsync(Deadline);
        Assert.Equal([["a0"], ["a1", "a2"]], writer.Batches);
    }

    [Fact]
    public async Task Operations_on_one_target_never_share_a_batch_and_keep_their_order()
    {
        var writer = new GatedWriter();
        await using var queue = new GroupCommitQueue<string>(maxBatchSize: 10, capacity: 100, writer.WriteAsync, Closed, SameLetter);
        var first = queue.EnqueueAsync("w0");
        await writer.FirstBatchInFlight;

        string[] operations = ["x1", "y1", "x2", "z1", "x3", "y2", "w1"];
        var rest = operations.Select(o => queue.EnqueueAsync(o)).ToList();
        writer.Open();
        await Task.WhenAll([first, .. rest]).WaitAsync(Deadline);

        Assert.Equal([["w0"], ["x1", "y1", "z1", "w1"], ["x2", "y2"], ["x3"]], writer.Batches);
    }

    [Fact]
    public async Task A_failed_batch_fails_its_operations_only_and_the_queue_goes_on()
    {
        var writer = new GatedWriter { FailBatchContaining = "bad" };
        await using var queue = new GroupCommitQueue<string>(maxBatchSize: 2, capacity: 10, writer.WriteAsync, Closed);
        var first = queue.EnqueueAsync("a0");
        await writer.FirstBatchInFlight;
        var failing = new[] { queue.EnqueueAsync("bad"), queue.EnqueueAsync("a1") };
        var after = queue.EnqueueAsync("a2");

        writer.Open();
        await first.WaitAsync(Deadline);
        foreach (var operation in failing)
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => operation.WaitAsync(Deadline));
        }

        await after.WaitAsync(Deadline);
        Assert.Equal(2, queue.BatchesWritten);
    }

    /// <summary>
    /// Each batch costs what it takes, not what is queued behind it: 400,000 operations queued at once, taken two at a
    /// time, are written in well under the time a rescan (or shift) of the queue per batch needs. Measured on 2 cores: about
    /// 2 s with one target per batch and 1 s without; 16 s without and minutes with when each batch rescanned the queue.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Taking_a_batch_does_not_rescan_what_is_queued(bool oneTargetPerBatch)
    {
        const int operations = 400_000;
        var writer = new GatedWriter { Record = false };
        await using var queue = new GroupCommitQueue<string>(
            maxBatchSize: 2, capacity: operations + 1, writer.WriteAsync, Closed, oneTargetPerBatch ? EqualityComparer<string>.Default : null);
        var first = queue.EnqueueAsync("first");
        await writer.FirstBatchInFlight;
        var all = new Task[operations];
        for (var i = 0; i < operations; i++)
        {
            all[i] = queue.EnqueueAsync($"t{i}");
        }

        var watch = Stopwatch.StartNew();
        writer.Open();
        await Task.WhenAll(all).WaitAsync(Deadline);
        await first;

        Assert.Equal(1 + (operations / 2), queue.BatchesWritten);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{operations} operations took {watch.Elapsed} to write");
    }

    private static InvalidOperationException Closed() => new("closed");

    /// <summary>Records the batches it is given and holds the first one until <see cref="Open"/>.</summary>
    private sealed class GatedWriter
    {
        private readonly TaskCompletionSource _inFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string[]> _batches = new();

        public bool Record { get; init; } = true;

        public string? FailBatchContaining { get; init; }

        public Task FirstBatchInFlight => _inFlight.Task;

        public IReadOnlyList<string[]> Batches => [.. _batches];

        public void Open() => _gate.TrySetResult();

        public async Task WriteAsync(IReadOnlyList<GroupCommitQueue<string>.Pending> batch)
        {
            if (Record)
            {
                _batches.Enqueue([.. batch.Select(p => p.Operation)]);
            }

            _inFlight.TrySetResult();
            await _gate.Task;
            if (FailBatchContaining is { } bad && batch.Any(p => p.Operation == bad))
            {
                throw new InvalidDataException("the batch failed");
            }
        }
    }
}
