namespace Orleans.TaskEngine.Batches;

/// <summary>The answer to <see cref="IBatchGrain.Create"/>: for a replay, the member ids the first request stored.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchCreateResult(
    [property: Id(0)] BatchCreateOutcome Outcome,
    [property: Id(1)] IReadOnlyList<string> Members);
