using System.ComponentModel.DataAnnotations;

namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>The REST host (section <c>TaskEngine:Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "TaskEngine:Api";
    public const string DefaultUrl = "http://localhost:5080";

    public ApiMode Mode { get; set; } = ApiMode.Embedded;

    /// <summary>
    /// Accepted API keys (<c>Authorization: Bearer &lt;key&gt;</c>), each with every role; the caller is <c>key-</c> and
    /// a hash of the key. With none here and in <see cref="NamedKeys"/>, the API is anonymous and listens on loopback only.
    /// </summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Keys by name: the name is the caller (e.g. a task's <c>createdBy</c>), the roles what it may do.</summary>
    public Dictionary<string, NamedApiKey> NamedKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether any key is configured; without one the API is open to anyone on this machine.</summary>
    public bool HasKeys => Keys.Count > 0 || NamedKeys.Count > 0;

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
