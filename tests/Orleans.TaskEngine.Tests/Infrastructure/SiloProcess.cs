namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>A silo process and the ports it was given.</summary>
public sealed record SiloProcess(EngineProcess Process, SiloPorts Ports)
{
    /// <summary>Whether a silo address such as <c>127.0.0.1:11111@1234</c> (a task's <c>silo</c>) is this silo.</summary>
    public bool Is(string? siloAddress) => siloAddress?.StartsWith($"127.0.0.1:{Ports.Silo}@", StringComparison.Ordinal) == true;
}
