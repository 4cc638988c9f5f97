using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Http.Agents;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>Turns a registration request into an <see cref="AgentRegistration"/>, or says what is wrong with it.</summary>
public static class AgentRequestValidator
{
    private const int MaxNameLength = 200;
    private const int MaxLabels = 64;
    private const int MaxLabelLength = 256;

    public static (AgentRegistration? Registration, string? Error) Validate(RegisterAgentRequest request, AgentOptions options, string? caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return (null, $"name is required: 1–{MaxNameLength} characters, no control characters.");
        }

        var types = request.TaskTypes ?? [];
        if (types.Count == 0)
        {
            return (null, "taskTypes must name at least one task type the agent runs.");
        }

        if (types.Count > options.MaxTaskTypes)
        {
            return (null, $"taskTypes holds {types.Count} types; the most is {options.MaxTaskTypes}.");
        }

        for (var i = 0; i < types.Count; i++)
        {
            if (EngineIds.Describe(types[i], $"taskTypes[{i}]") is { } bad)
            {
                return (null, bad);
            }
        }

        var queues = request.Queues ?? ["default"];
        if (queues.Count == 0 || queues.Count > options.MaxQueues)
        {
            return (null, $"queues must name 1–{options.MaxQueues} queues (or be left out: [\"default\"]).");
        }

        for (var i = 0; i < queues.Count; i++)
        {
            if (EngineIds.Describe(queues[i], $"queues[{i}]") is { } bad)
            {
                return (null, bad);
            }
        }

        var concurrency = request.Concurrency ?? 3;
        if (concurrency < 1 || concurrency > options.MaxConcurrency)
        {
            return (null, $"concurrency must be between 1 and {options.MaxConcurrency}; it is {concurrency}.");
        }

        var labels = request.Labels ?? new Dictionary<string, string>();
        if (labels.Count > MaxLabels || labels.Any(l => l.Key.Length is 0 or > MaxLabelLength || l.Value is null || l.Value.Length > MaxLabelLength))
        {
            return (null, $"labels: at most {MaxLabels}, each key 1–{MaxLabelLength} characters and each value a string of at most {MaxLabelLength}.");
        }

        return (new AgentRegistration
        {
            Name = name,
            Queues = [.. queues.Distinct(StringComparer.Ordinal)],
            TaskTypes = [.. types.Distinct(StringComparer.Ordinal)],
            Concurrency = concurrency,
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            RegisteredBy = caller,
        }, null);
    }
}
