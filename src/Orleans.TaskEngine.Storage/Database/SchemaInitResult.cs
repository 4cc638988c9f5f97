namespace Orleans.TaskEngine.Storage.Database;

/// <summary>What <see cref="SchemaInitializer"/> did.</summary>
/// <param name="Database">The database name.</param>
/// <param name="Existed">Whether the schema was there before (then the run only refreshed functions and queries).</param>
/// <param name="Scripts">Each script applied, in order.</param>
/// <param name="QueryCount">Rows in <c>orleansquery</c> afterwards.</param>
/// <param name="Elapsed">The whole run.</param>
public sealed record SchemaInitResult(string Database, bool Existed, IReadOnlyList<SchemaScriptResult> Scripts, int QueryCount, TimeSpan Elapsed);
