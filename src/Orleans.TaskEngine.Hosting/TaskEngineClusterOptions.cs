using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Hosting;

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

    /// <summary>
    /// The address other silos and clients use to reach this silo (durable cluster only): an IP address or a host
    /// name resolved at start. Loopback by default, so silos on one machine never reach out over the network; a
    /// cluster spread over several hosts (or containers) sets it to each host's own name or address.
    /// </summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";
}
