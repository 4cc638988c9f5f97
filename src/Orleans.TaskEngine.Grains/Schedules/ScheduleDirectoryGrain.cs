using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Persistence;

namespace Orleans.TaskEngine.Schedules;

/// <summary>The stored set of schedule ids (key 0); written on each create and delete, read by the keeper and the list.</summary>
public sealed class ScheduleDirectoryGrain([FromKeyedServices(TaskEngineStorage.Name)] IGrainStorage storage) : Grain, IScheduleDirectoryGrain
{
    private const string StateName = "schedule-directory";
    private StoredGrainState<HashSet<string>>? _state;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = new StoredGrainState<HashSet<string>>(storage, StateName, this.GetGrainId());
        return _state.ReadAsync();
    }

    public async Task Add(string scheduleId)
    {
        if (_state!.State.Add(scheduleId))
        {
            await WriteOrForgetAsync(() => _state.State.Remove(scheduleId));
        }
    }

    public async Task Remove(string scheduleId)
    {
        if (_state!.State.Remove(scheduleId))
        {
            await WriteOrForgetAsync(() => _state.State.Add(scheduleId));
        }
    }

    public Task<string[]> List() => Task.FromResult(_state!.State.Order(StringComparer.Ordinal).ToArray());

    /// <summary>Writes; a failed write undoes the change in memory, so what the grain answers is what is stored.</summary>
    private async Task WriteOrForgetAsync(Action undo)
    {
        try
        {
            await _state!.WriteAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }
}
