namespace Orleans.TaskEngine.Bench.Probe;

public sealed class BareProbeGrain : Grain, IBareProbeGrain
{
    public Task Touch()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
