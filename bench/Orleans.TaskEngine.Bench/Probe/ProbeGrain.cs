using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Bench.Probe;

public sealed class ProbeGrain([PersistentState("probe", TaskEngineStorage.Name)] IPersistentState<ProbeState> state) : Grain, IProbeGrain
{
    public async Task Store(string payload)
    {
        state.State.Payload = payload;
        await state.WriteStateAsync();
        DeactivateOnIdle();
    }

    public Task Ping() => Task.CompletedTask;
}
