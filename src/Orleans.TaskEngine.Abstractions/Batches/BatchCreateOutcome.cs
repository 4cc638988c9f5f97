namespace Orleans.TaskEngine.Batches;

[GenerateSerializer]
public enum BatchCreateOutcome
{
    /// <summary>The batch was stored.</summary>
    Created = 0,

    /// <summary>A batch with this id and the same request exists: a replay.</summary>
    Exists = 1,

    /// <summary>A batch with this id exists for another request.</summary>
    Conflict = 2,
}
