using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>A batch's durable state (the batch grain's). A batch exists while <see cref="Callback"/> is set.</summary>
[GenerateSerializer]
public sealed class BatchGrainState
{
    /// <summary>The member task ids, each once, in the batch's order.</summary>
    [Id(0)] public List<string> Members { get; set; } = [];

    /// <summary>By member id: the terminal status it told (or was found in). Counted once per id, however often told.</summary>
    [Id(1)] public Dictionary<string, TaskState> Finished { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public TaskSubmission? Callback { get; set; }

    [Id(3)] public string Fingerprint { get; set; } = "";

    /// <summary>Every member was submitted; until then the batch cannot finish (a member not yet made is not finished).</summary>
    [Id(4)] public bool Sealed { get; set; }

    /// <summary>The callback task was submitted (or found submitted): the batch is finished and does nothing more.</summary>
    [Id(5)] public bool CallbackSubmitted { get; set; }

    [Id(6)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the callback was submitted: the batch's state is forgotten the tasks' retention after this.</summary>
    [Id(7)] public DateTimeOffset? FinishedAt { get; set; }
}
