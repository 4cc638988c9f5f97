using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// Queue names seen in the cluster, for the operators' view. Soft state: schedulers register again when they
/// activate; the default queue and queues named in configuration are always listed.
/// </summary>
public sealed class QueueDirectoryGrain(IOptions<QueueOptions> options) : Grain, IQueueDirectoryGrain
{
    private readonly SortedSet<string> _queues = new(StringComparer.Ordinal) { TaskDefaults.Queue };

    public Task Register(string queue)
    {
        _queues.Add(queue);
        return Task.CompletedTask;
    }

    public Task<string[]> GetQueues() => Task.FromResult(_queues.Union(options.Value.Overrides.Keys).Order(StringComparer.Ordinal).ToArray());
}
