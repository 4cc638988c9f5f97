using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// Counts the cluster's queues against <see cref="QueueOptions.MaxQueues"/>, because every queue costs a scheduler with
/// upkeep of its own and a queue exists as soon as a task names it. Soft state, rebuilt from what lasts: the queues of
/// the queue index (an existing queue is known before this grain answers anyone, so it is never refused after a
/// restart), the schedulers that register every maintenance interval while they are active, and the configured queues.
/// Each refresh starts over from those, so a queue whose records are gone and whose scheduler was let go stops counting.
/// </summary>
public sealed partial class QueueDirectoryGrain(IOptions<QueueOptions> options, IQueueIndex index, ILogger<QueueDirectoryGrain> logger)
    : Grain, IQueueDirectoryGrain
{
    private readonly QueueOptions _options = options.Value;
    private readonly ILogger<QueueDirectoryGrain> _logger = logger;
    private readonly HashSet<string> _configured = [TaskDefaults.Queue, .. options.Value.Overrides.Keys];
    private HashSet<string> _queues = new(StringComparer.Ordinal);

    // Queues admitted or registered since the last refresh: active, whether or not the index lists them yet.
    private HashSet<string> _seen = new(StringComparer.Ordinal);
    private bool _loaded;

    // New queues refused since the last refresh: said once per refresh, not once per refusal (a caller that keeps
    // naming new queues would flood the log).
    private int _refused;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _queues.UnionWith(_configured);

        // A scheduler registers every maintenance interval: a refresh period of at least two of them never drops an
        // active one.
        var period = _options.RebuildInterval > _options.MaintenanceInterval * 2 ? _options.RebuildInterval : _options.MaintenanceInterval * 2;
        this.RegisterGrainTimer(
            _ => RefreshAsync(),
            new GrainTimerCreationOptions { DueTime = period, Period = period, Interleave = true, KeepAlive = true });
        return RefreshAsync();
    }

    public async Task<bool> Admit(string queue)
    {
        if (!_loaded)
        {
            // Before the index has been read, any queue might be an existing one: answer nothing rather than wrongly.
            await RefreshAsync();
            if (!_loaded)
            {
                throw new TaskEngineUnavailableException($"Cannot tell yet whether queue '{queue}' may be created: the queue index is unavailable. Try again.");
            }
        }

        if (_queues.Contains(queue))
        {
            _seen.Add(queue);
            return true;
        }

        if (_queues.Count >= _options.MaxQueues)
        {
            _refused++;
            return false;
        }

        _queues.Add(queue);
        _seen.Add(queue);
        return true;
    }

    public Task Register(string queue)
    {
        _queues.Add(queue);
        _seen.Add(queue);
        return Task.CompletedTask;
    }

    public Task<string[]> GetQueues() => Task.FromResult(
        _configured.Order(StringComparer.Ordinal)
            .Concat(_queues.Where(q => !_configured.Contains(q)).Order(StringComparer.Ordinal))
            .Take(_options.MaxQueues)
            .ToArray());

    private async Task RefreshAsync()
    {
        IReadOnlyList<string> indexed;
        try
        {
            indexed = await index.LoadQueuesAsync();
        }
        catch (TaskEngineUnavailableException ex)
        {
            // Counts stay as they are (queues are added, none dropped) until the index answers again.
            LogRefreshFailed(ex);
            return;
        }

        // Admits and registrations that came while the index was read are in _seen too.
        var queues = new HashSet<string>(indexed, StringComparer.Ordinal);
        queues.UnionWith(_configured);
        queues.UnionWith(_seen);
        _queues = queues;
        _seen = new(StringComparer.Ordinal);
        _loaded = true;
        if (_refused > 0)
        {
            LogRefused(_refused, _queues.Count, _options.MaxQueues);
            _refused = 0;
        }
    }
}
