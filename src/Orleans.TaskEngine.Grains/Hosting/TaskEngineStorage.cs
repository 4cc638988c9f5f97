namespace Orleans.TaskEngine.Hosting;

/// <summary>Names of the storage the engine's grains use.</summary>
public static class TaskEngineStorage
{
    /// <summary>The grain storage provider that holds task state.</summary>
    public const string Name = "TaskEngine";
}
