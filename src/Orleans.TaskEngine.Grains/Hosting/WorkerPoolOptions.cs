using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>A group of identical workers every silo starts on itself.</summary>
public sealed class WorkerPoolOptions
{
    [Required, RegularExpression("^[A-Za-z0-9_-]+$")]
    public string Name { get; set; } = "default";

    /// <summary>Worker grains per silo.</summary>
    [Range(0, 1000)]
    public int Count { get; set; } = 2;

    /// <summary>Tasks one worker runs at once.</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 8;

    /// <summary>Queues served; empty means every queue that is not exclusive.</summary>
    public List<string> Queues { get; set; } = [];
}
