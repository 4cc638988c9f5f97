using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>What a batch is made of, stored before its first member is submitted.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchDefinition
{
    /// <summary>The member task ids, in the batch's order.</summary>
    [Id(0)] public required IReadOnlyList<string> Members { get; init; }

    /// <summary>The callback as submitted; its payload is wrapped in <c>{batchId, counts, payload}</c> when it runs.</summary>
    [Id(1)] public required TaskSubmission Callback { get; init; }

    /// <summary>A digest of the request, so a replay with the same Idempotency-Key and another body is told apart.</summary>
    [Id(2)] public required string Fingerprint { get; init; }
}
