using System.Text;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Agents;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// <c>/api/agents</c>: agents register, heartbeat, poll and deregister; and <c>/api/tasks/{id}/progress|complete|fail</c>,
/// their reports on leased tasks. Each call goes to the agent's grain; lease tokens name their agent.
/// </summary>
public static class AgentEndpoints
{
    /// <summary>A long poll is served in calls this long, well under Orleans' 30 s call timeout.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromSeconds(20);

    public const int MaxPollWaitSeconds = 60;
    public const int DefaultPollWaitSeconds = 30;

    public static RouteGroupBuilder MapAgentEndpoints(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents").AddEndpointFilter(new RouteIdFilter("agent id"));
        agents.MapPost("/", RegisterAsync)
            .WithName("registerAgent")
            .WithSummary("Register an agent: a worker outside the cluster that runs the declared task types. Schedulable at once.")
            .Accepts<RegisterAgentRequest>("application/json")
            .RequireAuthorization(ApiPolicies.Agent)
            .Produces<AgentRegisteredResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        agents.MapPost("/{id}/heartbeat", HeartbeatAsync)
            .WithName("sendHeartbeat")
            .WithSummary("The agent is alive: extends every lease it holds; answers with its leased tasks that were cancelled.")
            .Accepts<AgentHeartbeatRequest>("application/json")
            .RequireAuthorization(ApiPolicies.Agent)
            .Produces<AgentHeartbeatResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapPost("/{id}/poll", PollAsync)
            .WithName("pollForTasks")
            .WithSummary($"Long poll (wait 0–{MaxPollWaitSeconds} s, default {DefaultPollWaitSeconds}) for tasks to run, up to the agent's free slots, in priority order; each comes with a lease token.")
            .RequireAuthorization(ApiPolicies.Agent)
            .Produces<AgentPollResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapDelete("/{id}", DeregisterAsync)
            .WithName("deregisterAgent")
            .WithSummary("Deregister: no new work; running leases finish or expire.")
            .RequireAuthorization(ApiPolicies.Agent)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        agents.MapGet("/", ListAsync)
            .WithName("listAgents")
            .WithSummary("Every agent the cluster knows (dead ones for a while).")
            .RequireAuthorization(ApiPolicies.Submitter)
            .Produces<AgentResource[]>();
        agents.MapGet("/{id}", GetAsync)
            .WithName("getAgent")
            .WithSummary("One agent.")
            .RequireAuthorization(ApiPolicies.Submitter)
            .Produces<AgentResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, IGrainFactory grains, IOptions<AgentOptions> options, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<RegisterAgentRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (registration, error) = AgentRequestValidator.Validate(request!, options.Value, http.User.Identity?.Name ?? "anonymous");
        if (registration is null)
        {
            return ApiProblems.BadRequest($"{error} Nothing was registered.");
        }

        var id = AgentKey.Create();
        var registered = await grains.GetGrain<IAgentGrain>(id).Register(registration).WaitAsync(cancellationToken);
        return Results.Created($"/api/agents/{id}", new AgentRegisteredResponse(registered.Id, registered.HeartbeatSeconds, registered.LeaseSeconds));
    }

    private static async Task<IResult> HeartbeatAsync(HttpContext http, string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var request = new AgentHeartbeatRequest();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync<AgentHeartbeatRequest>(http.Request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            request = body!;
        }

        if (request.RunningTaskIds is { Count: > 10_000 })
        {
            return ApiProblems.BadRequest("runningTaskIds holds more than 10,000 ids.");
        }

        return await OnAgentAsync(id, async () =>
        {
            var result = await grains.GetGrain<IAgentGrain>(id).Heartbeat(new AgentHeartbeat
            {
                RunningTaskIds = request.RunningTaskIds,
                CpuPercent = request.CpuPercent,
                MemoryBytes = request.MemoryBytes,
            }).WaitAsync(cancellationToken);
            return Results.Ok(new AgentHeartbeatResponse(result.CancelledTaskIds));
        });
    }

    private static async Task<IResult> PollAsync(string id, int? wait, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var seconds = wait ?? DefaultPollWaitSeconds;
        if (seconds is < 0 or > MaxPollWaitSeconds)
        {
            return ApiProblems.BadRequest($"wait must be between 0 and {MaxPollWaitSeconds} seconds.");
        }

        return await OnAgentAsync(id, async () =>
        {
            var agent = grains.GetGrain<IAgentGrain>(id);
            var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            while (true)
            {
                var remaining = deadline - time.GetUtcNow();
                var slice = remaining < PollSlice ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : PollSlice;
                var result = await agent.Poll(slice).WaitAsync(cancellationToken);
                if (result.Tasks.Count > 0 || result.CancelledTaskIds.Count > 0 || time.GetUtcNow() >= deadline)
                {
                    return Results.Ok(new AgentPollResponse([.. result.Tasks.Select(AgentTaskResource.From)], result.CancelledTaskIds));
                }
            }
        });
    }

    private static Task<IResult> DeregisterAsync(string id, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken) =>
        OnAgentAsync(id, async () =>
        {
            await grains.GetGrain<IAgentGrain>(id).Deregister(http.User.Identity?.Name ?? "anonymous").WaitAsync(cancellationToken);
            return Results.Accepted($"/api/agents/{id}");
        });

    private static async Task<IResult> ListAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var ids = await grains.GetGrain<IAgentRegistryGrain>(0).GetAgentIds().WaitAsync(cancellationToken);
        var statuses = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return await grains.GetGrain<IAgentGrain>(id).GetStatus().WaitAsync(cancellationToken);
            }
            catch (AgentNotFoundException)
            {
                return null;
            }
        }));
        return Results.Ok(statuses.OfType<AgentStatus>().Select(AgentResource.From).ToArray());
    }

    private static Task<IResult> GetAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        OnAgentAsync(id, async () => Results.Ok(AgentResource.From(await grains.GetGrain<IAgentGrain>(id).GetStatus().WaitAsync(cancellationToken))));

    /// <summary>Runs a call on an agent; an unknown or dead agent is a 404 that tells it to register again.</summary>
    private static async Task<IResult> OnAgentAsync(string id, Func<Task<IResult>> call)
    {
        if (!AgentKey.IsAgent(id))
        {
            return AgentNotFound(id, $"There is no agent '{id}': agent ids start with '{AgentKey.Prefix}'.");
        }

        try
        {
            return await call();
        }
        catch (AgentNotFoundException ex)
        {
            return AgentNotFound(id, ex.Message);
        }
    }

    private static IResult AgentNotFound(string id, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such agent", detail: detail, extensions: new Dictionary<string, object?> { ["agentId"] = id });
}
