namespace Orleans.TaskEngine.Hosting;

/// <summary>Which grain storage keeps the tasks' state in PostgreSQL (<c>TaskEngine:Database:TaskStore</c>).</summary>
public enum TaskStateStore
{
    /// <summary>
    /// The engine's own store (table <c>taskengine_grain_state</c>): the reads and writes of many grains share one round
    /// trip, where the ADO.NET provider makes one each. That is most of the throughput difference between the two.
    /// </summary>
    Batched,

    /// <summary>Orleans' standard ADO.NET provider and schema (table <c>orleans_storage</c>): one round trip an operation.</summary>
    AdoNet,
}
