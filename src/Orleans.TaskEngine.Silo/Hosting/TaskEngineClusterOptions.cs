using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Silo.Hosting;

/// <summary>Where this silo sits in its cluster (section <c>TaskEngine:Cluster</c>).</summary>
public sealed class TaskEngineClusterOptions
{
    public const string Section = "TaskEngine:Cluster";

    [Required]
    public string ClusterId { get; set; } = "taskengine";

    [Required]
    public string ServiceId { get; set; } = "taskengine";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;
}
