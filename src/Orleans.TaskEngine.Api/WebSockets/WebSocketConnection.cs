using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.WebSockets;

/// <summary>
/// One client's WebSocket: reads subscribe frames, follows the subscribed tasks (one long-poll loop per task, like the
/// SSE stream) and the tasks the subscribed queues take in, and writes every frame through one bounded outbox.
/// </summary>
public sealed partial class WebSocketConnection : IQueueWatcher, IDisposable
{
    // A queue announces a task while its submit is still being stored: until then the task answers as if it did not exist.
    private static readonly TimeSpan AnnouncedTaskGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AnnouncedTaskRetry = TimeSpan.FromMilliseconds(100);

    // How long a close may take: a client that does not read cannot take in the close frame either.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly IGrainFactory _grains;
    private readonly WebSocketOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WebSocketOutbox _outbox;
    private readonly TaskFollows _follows = new();
    private readonly Dictionary<string, DateTimeOffset> _queues = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();

    // Tasks the queues announced, taken up by this connection's own loop so that the observer call returns at once and
    // no follow loop runs in Orleans' invocation context. Small items, one per task taken in, consumed without waiting.
    private readonly Channel<(string TaskId, DateTimeOffset? Since)> _announced = Channel.CreateUnbounded<(string, DateTimeOffset?)>(new() { SingleReader = true });
    private IQueueWatcher? _watcherReference;
    private bool _tooBig;

    public WebSocketConnection(WebSocket socket, IGrainFactory grains, WebSocketOptions options, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _grains = grains;
        _options = options;
        _time = time;
        _logger = logger;
        _outbox = new WebSocketOutbox(options.OutboxCapacity);
    }

    /// <summary>Serves the connection until the client closes it, it is closed for reading too slowly, or the host stops.</summary>
    public async Task RunAsync(WebSocketSubscription initial, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        var writer = WriteLoopAsync(cancellationToken);
        try
        {
            if (!initial.IsEmpty)
            {
                await SubscribeAsync(initial, token);
            }

            var renewal = RenewLoopAsync(token);
            var announced = FollowAnnouncedAsync();
            await ReadLoopAsync(token);
            await _stop.CancelAsync();
            _announced.Writer.TryComplete();
            await Task.WhenAll(renewal, announced);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client went away, or the host stops.
        }
        finally
        {
            await _stop.CancelAsync();
            _announced.Writer.TryComplete();
            _outbox.Complete();
            await writer;
            Task[] loops;
            lock (_lock)
            {
                loops = [.. _loops];
            }

            await Task.WhenAll(loops);
            await UnwatchAllAsync();
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _outbox.Dispose();
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        // After the server's close (CloseSent), until the client's answers it.
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var received = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // The writer answers it, once it is not sending.
                return;
            }

            if (message.Length + received.Count > _options.MaxFrameBytes)
            {
                _tooBig = true;
                return;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var text = received.MessageType == WebSocketMessageType.Text ? Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length) : null;
            message.SetLength(0);
            var (subscription, error) = text is null ? (null, "Send text frames.") : WebSocketSubscriptionParser.FromFrame(text);
            if (subscription is null)
            {
                _outbox.TryPost(WebSocketFrames.Error(error!));
                continue;
            }

            await SubscribeAsync(subscription, cancellationToken);
        }
    }

    /// <summary>Takes a subscription whole or refuses it whole (over a limit): a refusal changes nothing.</summary>
    private async Task SubscribeAsync(WebSocketSubscription subscription, CancellationToken cancellationToken)
    {
        int queues;
        lock (_lock)
        {
            queues = _queues.Count + subscription.Queues.Count(q => !_queues.ContainsKey(q));
        }

        var tasks = _follows.Subscribed + _follows.NewSubscriptions(subscription.Tasks);
        if (tasks > _options.MaxTasks || queues > _options.MaxQueues)
        {
            _outbox.TryPost(WebSocketFrames.Error(
                $"A connection may follow at most {_options.MaxTasks} tasks and {_options.MaxQueues} queues; this subscription would make {tasks} and {queues}. Nothing changed."));
            return;
        }

        var watched = new List<string>();
        foreach (var queue in subscription.Queues)
        {
            if (await WatchAsync(queue, cancellationToken))
            {
                watched.Add(queue);
            }
        }

        // Acknowledged before any event it brings, so that a client knows from when its queues are live.
        _outbox.TryPost(WebSocketFrames.Subscribed(subscription with { Queues = watched }));
        foreach (var taskId in subscription.Tasks)
        {
            Follow(taskId, subscribed: true, since: null);
        }
    }

    /// <summary>Starts the loop of <paramref name="taskId"/> unless one runs; <paramref name="since"/>: skip older events.</summary>
    private void Follow(string taskId, bool subscribed, DateTimeOffset? since)
    {
        if (_follows.TryStart(taskId, subscribed) is not { } start)
        {
            return;
        }

        // A task this connection followed before resumes after what it handled; the rest is new to it.
        var loop = FollowLoopAsync(taskId, start.After, start.Known ? null : since, announced: !subscribed, _stop.Token);
        lock (_lock)
        {
            if (_loops.Count > 256)
            {
                _loops.RemoveAll(t => t.IsCompleted);
            }

            _loops.Add(loop);
        }
    }

    private async Task FollowLoopAsync(string taskId, long after, DateTimeOffset? since, bool announced, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var task = _grains.GetGrainByKey<ITaskGrain>(taskId);
        var started = _time.GetTimestamp();
        try
        {
            await foreach (var page in TaskEventFeed.PagesAsync(task, after, cancellationToken))
            {
                LogPage(_logger, taskId, after, page?.Events.Count ?? -1, page?.Finished ?? false);
                if (page is null && announced && _time.GetElapsedTime(started) < AnnouncedTaskGrace)
                {
                    await Task.Delay(AnnouncedTaskRetry, _time, cancellationToken);
                    continue;
                }

                if (page is null)
                {
                    _follows.Forget(taskId);
                    _outbox.TryPost(WebSocketFrames.Error($"There is no task '{taskId}'.", taskId: taskId));
                    return;
                }

                foreach (var e in page.Events)
                {
                    if ((since is null || e.At >= since) && !_outbox.TryPost(WebSocketFrames.Event(taskId, e)))
                    {
                        return;
                    }

                    after = e.Sequence;
                    _follows.Handled(taskId, after);
                }

                if (page.Finished)
                {
                    _follows.Stopped(taskId);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection ends.
        }
        catch (Exception ex)
        {
            _follows.Stopped(taskId);
            LogFollowFailed(_logger, ex, taskId);
            _outbox.TryPost(WebSocketFrames.Error($"The events of task '{taskId}' stopped: {ex.Message}", taskId: taskId));
        }
    }

    /// <summary>The only sender: frames in outbox order, then a close with a reason if the client read too slowly.</summary>
    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        // A send stuck on a client that does not read is given up once the outbox overflowed and the grace passed.
        using var sends = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var afterOverflow = _outbox.OverflowToken.Register(() => sends.CancelAfter(CloseGrace));
        try
        {
            // Until the outbox completes (the connection ends) or overflows.
            await foreach (var frame in _outbox.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (_outbox.Overflowed || _socket.State != WebSocketState.Open)
                {
                    break;
                }

                await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, sends.Token);
            }

            if (_outbox.Overflowed)
            {
                LogTooSlow(_logger, _outbox.Capacity);
                await CloseAsync(WebSocketCloseStatus.PolicyViolation, _outbox.OverflowReason, sends.Token);
            }
            else if (_tooBig)
            {
                await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"a frame may have at most {_options.MaxFrameBytes} bytes", sends.Token);
            }
            else
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "", sends.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client went away, or the host stops; an overflowed one that took nothing in is aborted.
        }
        finally
        {
            // Nothing more will be sent: the read loop ends too, after the client's answer to a close if it comes soon.
            _stop.CancelAfter(CloseGrace);
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(CloseGrace);
            await _socket.CloseOutputAsync(status, reason, grace.Token);
        }
    }
}
