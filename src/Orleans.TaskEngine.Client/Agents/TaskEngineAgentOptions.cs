namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Settings of a <see cref="TaskEngineAgent"/>; checked when the agent is built, so a bad one fails at once.</summary>
public sealed class TaskEngineAgentOptions
{
    /// <summary>The API's address (e.g. http://127.0.0.1:5080/); the agent then makes and owns its HttpClient.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Or an HttpClient whose BaseAddress is the API. Its Timeout must outlast <see cref="PollWaitSeconds"/>.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on every request when set.</summary>
    public string? ApiKey { get; set; }

    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public IReadOnlyList<string> Queues { get; set; } = ["default"];

    /// <summary>Tasks run at once; the agent polls only while it has a free slot.</summary>
    public int Concurrency { get; set; } = 3;

    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>How long one poll waits for work on the server (0–60 s).</summary>
    public int PollWaitSeconds { get; set; } = 30;

    /// <summary>How long a stop lets running tasks finish and report before their tokens fire.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if ((BaseAddress is null) == (HttpClient is null))
        {
            throw new ArgumentException("Set exactly one of BaseAddress and HttpClient.");
        }

        if (HttpClient is { BaseAddress: null })
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the API's address.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("Name must not be blank.");
        }

        if (Queues.Count == 0 || Queues.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Queues needs at least one queue name, none blank.");
        }

        if (Concurrency is < 1 or > 10_000)
        {
            throw new ArgumentException($"Concurrency must be 1–10000, not {Concurrency}.");
        }

        if (PollWaitSeconds is < 0 or > 60)
        {
            throw new ArgumentException($"PollWaitSeconds must be 0–60 (the server's limit), not {PollWaitSeconds}.");
        }

        if (StopGracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException("StopGracePeriod must not be negative.");
        }
    }
}
