using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Settings of one queue.</summary>
public sealed class QueueSettings
{
    /// <summary>The most pending tasks the queue accepts; null takes <see cref="QueueOptions.DefaultMaxPending"/>.</summary>
    [Range(1, 100_000_000)]
    public int? MaxPending { get; set; }

    /// <summary>Only worker pools that name this queue serve it (e.g. a queue for GPU workers).</summary>
    public bool Exclusive { get; set; }
}
