namespace Orleans.TaskEngine.Bench.Probe;

/// <summary>A grain with no state: the cost of an activation alone.</summary>
public interface IBareProbeGrain : IGrainWithStringKey
{
    /// <summary>Does nothing, then lets the activation go.</summary>
    Task Touch();
}
