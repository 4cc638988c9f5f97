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
    /// cluster spread over several hosts (or containers) sets it to each host's own name or address, or to
    /// <see cref="ThisHost"/>: this machine's own host name, which in a container resolves to the container's address,
    /// so replicas of one service (<c>docker compose up --scale silo=3</c>) each advertise their own.
    /// </summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>The <see cref="AdvertisedHost"/> that means "this machine's host name".</summary>
    public const string ThisHost = "*";

    /// <summary>The host name or address to advertise, with <see cref="ThisHost"/> resolved.</summary>
    public string AdvertisedHostName() => AdvertisedHost == ThisHost ? System.Net.Dns.GetHostName() : AdvertisedHost;
}
