using System.Text;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Agents;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// <c>/api/tasks/{id}/progress|complete|fail</c>: an agent reports on a task it leased. The lease token names the agent,
/// whose grain checks it and passes the report on. A stale lease is a 409 that changes nothing; the same complete or
/// fail sent again (its answer was lost) is a 200 again.
/// </summary>
public static class AgentReportEndpoints
{
    public static RouteGroupBuilder MapAgentReportEndpoints(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Agents").AddEndpointFilter(new RouteIdFilter("task id")).RequireAuthorization(ApiPolicies.Agent);
        tasks.MapPost("/{id}/progress", ProgressAsync)
            .WithName("reportProgress")
            .WithSummary("An agent reports progress (percent 0–100, message) on a task it leased.")
            .Accepts<AgentProgressRequest>("application/json")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tasks.MapPost("/{id}/complete", CompleteAsync)
            .WithName("completeTask")
            .WithSummary("An agent reports the result (any JSON, up to 1 MiB) of a task it leased. 409: the lease is over; drop the result.")
            .Accepts<AgentCompleteRequest>("application/json")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        tasks.MapPost("/{id}/fail", FailAsync)
            .WithName("failTask")
            .WithSummary("An agent reports that its attempt failed; permanent: true fails the task without retries.")
            .Accepts<AgentFailRequest>("application/json")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> ProgressAsync(HttpContext http, string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<AgentProgressRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Percent is { } percent && (double.IsNaN(percent) || percent < 0 || percent > 100))
        {
            return ApiProblems.BadRequest("percent must be between 0 and 100.");
        }

        if (request.Message is { Length: > 4096 })
        {
            return ApiProblems.BadRequest("message is longer than 4,096 characters.");
        }

        return await ReportAsync(grains, request.LeaseToken, new AgentReport
        {
            Kind = AgentReportKind.Progress,
            TaskId = id,
            LeaseToken = request.LeaseToken ?? string.Empty,
            Progress = new TaskProgress { Percent = request.Percent / 100, Message = request.Message },
        }, cancellationToken);
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<AgentCompleteRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var result = request!.Result is { } value ? value.GetRawText() : "null";
        if (Encoding.UTF8.GetByteCount(result) > TaskDefaults.MaxPayloadBytes)
        {
            return ApiProblems.TooLarge($"result is larger than {TaskDefaults.MaxPayloadBytes} bytes (1 MiB). Nothing was changed.");
        }

        return await ReportAsync(grains, request.LeaseToken, new AgentReport
        {
            Kind = AgentReportKind.Complete,
            TaskId = id,
            LeaseToken = request.LeaseToken ?? string.Empty,
            Result = result,
        }, cancellationToken);
    }

    private static async Task<IResult> FailAsync(HttpContext http, string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<AgentFailRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Error is not { Message: { Length: > 0 } message } error)
        {
            return ApiProblems.BadRequest("error.message is required: say why the attempt failed.");
        }

        if (message.Length > 8192 || error.Kind is { } k && (EngineIds.Describe(k, "error.kind") is not null || IsEngineKind(k)))
        {
            return ApiProblems.BadRequest(
                $"error.message must be at most 8,192 characters, and error.kind ({EngineIds.Grammar}) not one of the engine's own kinds ({TaskErrorKinds.Timeout}, {TaskErrorKinds.WorkerLost}, {TaskErrorKinds.HandedBack}, {TaskErrorKinds.Dependency}).");
        }

        var kind = error.Permanent == true ? TaskErrorKinds.Permanent : error.Kind ?? TaskErrorKinds.Error;
        return await ReportAsync(grains, request.LeaseToken, new AgentReport
        {
            Kind = AgentReportKind.Fail,
            TaskId = id,
            LeaseToken = request.LeaseToken ?? string.Empty,
            Error = new TaskError { Kind = kind, Message = message },
        }, cancellationToken);
    }

    private static bool IsEngineKind(string kind) =>
        kind is TaskErrorKinds.Timeout or TaskErrorKinds.WorkerLost or TaskErrorKinds.HandedBack or TaskErrorKinds.Dependency;

    private static async Task<IResult> ReportAsync(IGrainFactory grains, string? token, AgentReport report, CancellationToken cancellationToken)
    {
        if (!AgentLeaseToken.TryParse(token, out var agentId, out _))
        {
            return ApiProblems.BadRequest("leaseToken is required: the token the task's lease came with (from poll).");
        }

        var result = await grains.GetGrain<IAgentGrain>(agentId).Report(report).WaitAsync(cancellationToken);
        return result.Accepted
            ? Results.Ok(TaskResource.From(result.Task!))
            : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The lease is over", detail: $"{result.Message} Nothing was changed; drop this attempt's result.");
    }
}
