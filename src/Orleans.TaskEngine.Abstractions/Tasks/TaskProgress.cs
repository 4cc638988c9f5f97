namespace Orleans.TaskEngine.Tasks;

/// <summary>A progress report from a running handler.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskProgress
{
    /// <summary>Fraction done, 0..1, when known.</summary>
    [Id(0)] public double? Percent { get; init; }

    [Id(1)] public string? Message { get; init; }
}
