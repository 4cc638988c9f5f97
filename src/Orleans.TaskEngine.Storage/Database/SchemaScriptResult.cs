namespace Orleans.TaskEngine.Storage.Database;

/// <summary>One schema script that was applied, and how long it took.</summary>
public sealed record SchemaScriptResult(string Name, TimeSpan Elapsed);
