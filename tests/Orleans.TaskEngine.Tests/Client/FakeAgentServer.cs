using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

// Not ...Tests.Client: that namespace would shadow Orleans.TaskEngine.Client in the other tests' partly qualified names.
namespace Orleans.TaskEngine.Tests.AgentClients;

/// <summary>
/// Plays the server side of the agents HTTP contract in memory, for <c>TaskEngineAgent</c> tests: registration, long
/// poll with leases per agent, heartbeats, reports checked against lease tokens, deregistration; and faults on demand.
/// </summary>
public sealed class FakeAgentServer : HttpMessageHandler
{
    private readonly object _gate = new();
    private readonly Dictionary<string, FakeAgent> _agents = [];
    private readonly Queue<(string Id, string Type, JsonNode? Payload)> _queue = new();
    private readonly Dictionary<string, (string AgentId, string Token)> _leases = [];
    private readonly List<string> _cancelNext = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;

    public double HeartbeatSeconds { get; set; } = 0.05;

    /// <summary>Tasks a poll may hand out beyond the agent's free slots (a server whose count differs from the agent's).</summary>
    public int ExtraTasksPerPoll { get; set; }

    public int HeartbeatsToRefuse { get; set; }

    public int PollsToRefuse { get; set; }

    public int ReportsToFailWith503 { get; set; }

    public List<(string Method, string Path, JsonNode? Body, string? Authorization)> Requests { get; } = [];

    public List<(string Verb, string TaskId, JsonNode Body)> Reports { get; } = [];

    public List<string> Registrations { get; } = [];

    public Dictionary<string, string> IssuedTokens { get; } = [];

    public int MaxLeasedAtOnce { get; private set; }

    public void Enqueue(string id, string type, JsonNode? payload = null)
    {
        lock (_gate)
        {
            _queue.Enqueue((id, type, payload));
            Signal();
        }
    }

    /// <summary>Cancels the task: its id goes out in the next heartbeat or poll answer, and its lease ends.</summary>
    public void Cancel(string taskId)
    {
        lock (_gate)
        {
            _cancelNext.Add(taskId);
            _leases.Remove(taskId);
            foreach (var agent in _agents.Values)
            {
                agent.Leases.Remove(taskId);
            }

            Signal();
        }
    }

    /// <summary>The lease moves elsewhere (expired and re-run): the holder's reports get 409.</summary>
    public void StealLease(string taskId)
    {
        lock (_gate)
        {
            _leases[taskId] = ("elsewhere", "stolen");
        }
    }

    public T Read<T>(Func<FakeAgentServer, T> read)
    {
        lock (_gate)
        {
            return read(this);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken) is { Length: > 0 } text ? text : "null");
        var path = request.RequestUri!.AbsolutePath;
        var parts = path.Trim('/').Split('/');
        lock (_gate)
        {
            Requests.Add((request.Method.Method, request.RequestUri.PathAndQuery, body, request.Headers.Authorization?.ToString()));
        }

        return (request.Method.Method, parts) switch
        {
            ("POST", ["api", "agents"]) => Register(body!),
            ("POST", ["api", "agents", var id, "heartbeat"]) => Heartbeat(id),
            ("POST", ["api", "agents", var id, "poll"]) => await PollAsync(id, WaitSeconds(request.RequestUri), cancellationToken),
            ("DELETE", ["api", "agents", var id]) => Deregister(id),
            ("POST", ["api", "tasks", var id, var verb]) => Report(id, verb, body!),
            _ => Answer(HttpStatusCode.NotFound, new { title = "no route" }),
        };
    }

    private HttpResponseMessage Register(JsonNode body)
    {
        lock (_gate)
        {
            var id = $"agent-{++_sequence}";
            _agents[id] = new FakeAgent((int?)body["concurrency"] ?? 3);
            Registrations.Add(id);
            return Answer(HttpStatusCode.Created, new { id, heartbeatSeconds = HeartbeatSeconds, leaseSeconds = HeartbeatSeconds * 3 });
        }
    }

    private HttpResponseMessage Heartbeat(string agentId)
    {
        lock (_gate)
        {
            if (HeartbeatsToRefuse > 0 && _agents.TryGetValue(agentId, out var doomed))
            {
                HeartbeatsToRefuse--;
                doomed.Alive = false;
            }

            if (!_agents.TryGetValue(agentId, out var agent) || !agent.Alive)
            {
                return Answer(HttpStatusCode.NotFound, new { title = "unknown agent", status = 404 });
            }

            return Answer(HttpStatusCode.OK, new { cancelledTaskIds = TakeCancelled() });
        }
    }

    private async Task<HttpResponseMessage> PollAsync(string agentId, double waitSeconds, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(waitSeconds);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (PollsToRefuse > 0 && _agents.TryGetValue(agentId, out var doomed))
                {
                    PollsToRefuse--;
                    doomed.Alive = false;
                }

                if (!_agents.TryGetValue(agentId, out var agent) || !agent.Alive || agent.Deregistered)
                {
                    return agent is { Deregistered: true }
                        ? Answer(HttpStatusCode.OK, new { tasks = Array.Empty<object>(), cancelledTaskIds = Array.Empty<string>() })
                        : Answer(HttpStatusCode.NotFound, new { title = "unknown agent", status = 404 });
                }

                var free = agent.Concurrency - agent.Leases.Count + ExtraTasksPerPoll;
                if ((_queue.Count > 0 && free > 0) || _cancelNext.Count > 0 || DateTime.UtcNow >= deadline)
                {
                    var tasks = new List<object>();
                    while (_queue.Count > 0 && free-- > 0)
                    {
                        var (id, type, payload) = _queue.Dequeue();
                        var token = $"lease-{id}-{++_sequence}";
                        _leases[id] = (agentId, token);
                        IssuedTokens[id] = token;
                        agent.Leases.Add(id);
                        tasks.Add(new
                        {
                            id, type, payload, attempt = 1, leaseToken = token, leaseExpiresAt = DateTimeOffset.UtcNow.AddSeconds(15),
                            timeoutSeconds = 60, priority = "high", queue = "default",
                        });
                    }

                    MaxLeasedAtOnce = Math.Max(MaxLeasedAtOnce, agent.Leases.Count);
                    return Answer(HttpStatusCode.OK, new { tasks, cancelledTaskIds = TakeCancelled() });
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            await Task.WhenAny(changed, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private HttpResponseMessage Deregister(string agentId)
    {
        lock (_gate)
        {
            if (!_agents.TryGetValue(agentId, out var agent))
            {
                return Answer(HttpStatusCode.NotFound, new { title = "unknown agent", status = 404 });
            }

            agent.Deregistered = true;
            Signal();
            return Answer(HttpStatusCode.Accepted, new { });
        }
    }

    private HttpResponseMessage Report(string taskId, string verb, JsonNode body)
    {
        lock (_gate)
        {
            if (verb != "progress" && ReportsToFailWith503 > 0)
            {
                ReportsToFailWith503--;
                return Answer(HttpStatusCode.ServiceUnavailable, new { title = "store unavailable", status = 503 });
            }

            var token = (string?)body["leaseToken"];
            if (!_leases.TryGetValue(taskId, out var lease) || lease.Token != token)
            {
                var repeat = Reports.Any(r => r.TaskId == taskId && r.Verb == verb && (string?)r.Body["leaseToken"] == token);
                return repeat && verb != "progress"
                    ? Answer(HttpStatusCode.OK, new { id = taskId })
                    : Answer(HttpStatusCode.Conflict, new { title = "stale lease", status = 409 });
            }

            Reports.Add((verb, taskId, body));
            if (verb != "progress")
            {
                _leases.Remove(taskId);
                _agents[lease.AgentId].Leases.Remove(taskId);
                Signal();
            }

            return Answer(HttpStatusCode.OK, new { id = taskId });
        }
    }

    private string[] TakeCancelled()
    {
        var cancelled = _cancelNext.ToArray();
        _cancelNext.Clear();
        return cancelled;
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private static double WaitSeconds(Uri uri) =>
        System.Web.HttpUtility.ParseQueryString(uri.Query)["wait"] is { } wait ? double.Parse(wait, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static HttpResponseMessage Answer(HttpStatusCode status, object body) =>
        new(status) { Content = JsonContent.Create(body) };

    private sealed class FakeAgent(int concurrency)
    {
        public int Concurrency { get; } = concurrency;
        public HashSet<string> Leases { get; } = [];
        public bool Alive { get; set; } = true;
        public bool Deregistered { get; set; }
    }
}
