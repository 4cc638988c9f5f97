using System.Globalization;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Http.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// The audit log's query side: <c>GET /api/tasks</c> (search, newest first, keyset paging) and
/// <c>GET /api/tasks/{id}/history</c> (one incarnation's events in order). Both read the log, so they cover tasks whose
/// grain state was purged, for the history's own retention. Readers need the submitter (or admin) role.
/// </summary>
public static class HistoryEndpoints
{
    private const int MaxFilterLength = 200;
    private static readonly string[] Filters = ["status", "type", "queue", "tag", "createdBy", "from", "to", "limit", "cursor"];

    public static RouteGroupBuilder MapHistoryEndpoints(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("History").RequireAuthorization(ApiPolicies.Submitter);
        tasks.MapGet("/", SearchAsync)
            .WithName("searchTasks")
            .WithSummary("Search tasks (also finished ones past their retention, for the history's): status, type, queue, tag, createdBy, from/to (creation time), limit 1–500 (50), cursor; newest first.")
            .Produces<TaskSearchResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        tasks.MapGet("/{id}/history", HistoryAsync)
            .WithName("getTaskHistory")
            .AddEndpointFilter(new RouteIdFilter("task id"))
            .WithSummary("Every event of a task in order, also after its state was purged: the newest incarnation, or the one ?createdAt= names.")
            .Produces<TaskHistoryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/agents/history", AgentHistoryAsync)
            .WithName("getAgentHistory")
            .WithTags("History")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("The agents' audit log, newest first: registrations, deregistrations, drains and deaths, with who and where; ?agentId= for one agent, ?limit= 1–500 (50).")
            .Produces<AgentAuditEvent[]>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<IResult> AgentHistoryAsync(string? agentId, string? limit, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var count = TaskSearchQuery.DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > TaskSearchQuery.MaxLimit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {TaskSearchQuery.MaxLimit}; '{Shown(limit)}' is not.");
        }

        if (agentId is not null && (!AgentKey.IsAgent(agentId) || agentId.Length > MaxFilterLength))
        {
            return ApiProblems.BadRequest($"agentId must be an agent id (agent-…); '{Shown(agentId)}' is not.");
        }

        return Results.Ok(await grains.GetGrain<IAgentRegistryGrain>(0).GetEvents(agentId, count).WaitAsync(cancellationToken));
    }

    private static async Task<IResult> SearchAsync(HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (query, error) = ParseQuery(http.Request.Query);
        if (query is null)
        {
            return ApiProblems.BadRequest(error!);
        }

        var page = await grains.GetGrain<ITaskHistoryGrain>(0).Search(query).WaitAsync(cancellationToken);
        return Results.Ok(new TaskSearchResponse([.. page.Items.Select(TaskSummaryResource.From)], page.Next?.ToString()));
    }

    private static async Task<IResult> HistoryAsync(string id, string? createdAt, IGrainFactory grains, CancellationToken cancellationToken)
    {
        DateTimeOffset? incarnation = null;
        if (createdAt is not null)
        {
            if (!DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return ApiProblems.BadRequest($"createdAt must be an ISO 8601 time (the task's createdAt); '{Shown(createdAt)}' is not.");
            }

            incarnation = at;
        }

        var record = await grains.GetGrain<ITaskHistoryGrain>(0).Load(id, incarnation).WaitAsync(cancellationToken);
        return record is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No history", detail: incarnation is null
                ? $"The audit log holds no task '{id}' (never submitted, or past the history's retention)."
                : $"The audit log holds no task '{id}' created at {incarnation:O}.")
            : Results.Ok(new TaskHistoryResponse(record.Summary.Id, record.Summary.CreatedAt, TaskSummaryResource.From(record.Summary), record.Events));
    }

    /// <summary>The search's query string, checked; a bad filter is named in the error.</summary>
    public static (TaskSearchQuery? Query, string? Error) ParseQuery(IQueryCollection q)
    {
        ArgumentNullException.ThrowIfNull(q);
        foreach (var key in q.Keys)
        {
            if (!Filters.Contains(key))
            {
                return (null, $"'{Shown(key)}' is not a filter; the filters are {string.Join(", ", Filters)}.");
            }

            if (q[key].Count > 1)
            {
                return (null, $"'{Shown(key)}' is given {q[key].Count} times; give each filter once.");
            }
        }

        TaskState? status = null;
        if (q.TryGetValue("status", out var statusText))
        {
            if (!Enum.TryParse<TaskState>(statusText.ToString(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(statusText.ToString(), out _))
            {
                return (null, $"status must be one of {string.Join(", ", Enum.GetValues<TaskState>().Select(s => s.ToWireName()))}.");
            }

            status = parsed;
        }

        string? Text(string name, out string? problem)
        {
            problem = null;
            if (!q.TryGetValue(name, out var value))
            {
                return null;
            }

            var text = value.ToString();
            if (text.Length is 0 or > MaxFilterLength || text.Any(char.IsControl))
            {
                problem = $"{name} must be 1–{MaxFilterLength} characters without control characters.";
            }

            return text;
        }

        var type = Text("type", out var bad);
        var queue = bad is null ? Text("queue", out bad) : null;
        var tag = bad is null ? Text("tag", out bad) : null;
        var createdBy = bad is null ? Text("createdBy", out bad) : null;
        if (bad is not null)
        {
            return (null, bad);
        }

        DateTimeOffset? from = null, to = null;
        foreach (var (name, assign) in new (string, Action<DateTimeOffset>)[] { ("from", v => from = v), ("to", v => to = v) })
        {
            if (q.TryGetValue(name, out var value))
            {
                if (!DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return (null, $"{name} must be an ISO 8601 time, e.g. 2026-12-01T12:00:00Z.");
                }

                assign(at);
            }
        }

        if (from is { } f && to is { } t && f >= t)
        {
            return (null, "from must be before to.");
        }

        var limit = TaskSearchQuery.DefaultLimit;
        if (q.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > TaskSearchQuery.MaxLimit))
        {
            return (null, $"limit must be a whole number from 1 to {TaskSearchQuery.MaxLimit}.");
        }

        TaskSearchCursor? after = null;
        if (q.TryGetValue("cursor", out var cursorText) && !TaskSearchCursor.TryParse(cursorText.ToString(), out after))
        {
            return (null, "cursor is not one this API gave (take nextCursor from the previous page as it is).");
        }

        return (new TaskSearchQuery
        {
            Status = status,
            Type = type,
            Queue = queue,
            Tag = tag,
            CreatedBy = createdBy,
            From = from,
            To = to,
            Limit = limit,
            After = after,
        }, null);
    }

    private static string Shown(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
