namespace Orleans.TaskEngine.Bench.Probe;

/// <summary>A grain that does the least a task grain does, to measure what plain Orleans costs on this machine.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    /// <summary>Stores the payload in the engine's task storage, then lets the activation go (as a finished task does).</summary>
    Task Store(string payload);

    /// <summary>Does nothing: the cost of one call to an active grain.</summary>
    Task Ping();
}
