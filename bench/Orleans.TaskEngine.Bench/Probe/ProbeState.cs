namespace Orleans.TaskEngine.Bench.Probe;

[GenerateSerializer]
public sealed class ProbeState
{
    [Id(0)]
    public string? Payload { get; set; }
}
