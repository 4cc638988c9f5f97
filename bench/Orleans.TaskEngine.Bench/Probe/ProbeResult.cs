namespace Orleans.TaskEngine.Bench.Probe;

/// <param name="StoredActivationsPerSecond">New activations a second, each with one call, one state read and write in the engine's storage, and its release.</param>
/// <param name="BareActivationsPerSecond">The same without storage.</param>
/// <param name="CallsPerSecond">Calls a second to grains that are already active.</param>
public sealed record ProbeResult(
    int Count,
    int Warmup,
    int Concurrency,
    double StoredActivationsPerSecond,
    double BareActivationsPerSecond,
    double CallsPerSecond,
    int Cores);
