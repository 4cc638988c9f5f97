using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>The REST host (section <c>TaskEngine:Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "TaskEngine:Api";
    public const string DefaultUrl = "http://localhost:5080";

    public ApiMode Mode { get; set; } = ApiMode.Embedded;

    /// <summary>
    /// Accepted API keys (<c>Authorization: Bearer &lt;key&gt;</c>). With none, the API is anonymous and listens on
    /// loopback only.
    /// </summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Requests per second per key (or per client address without keys).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 2000;

    /// <summary>Requests a key may make at once above the steady rate.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 4000;

    /// <summary>The longest <c>?wait=</c> and <c>/wait?timeout=</c> in seconds.</summary>
    [Range(1, 3600)]
    public int MaxWaitSeconds { get; set; } = 60;
}
