using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary><c>/api/tasks</c>: submit, batch (<see cref="BatchSubmission"/>), get, wait, events, cancel, retry.</summary>
public static class TaskEndpoints
{
    /// <summary>The SSE request header a reconnecting client sends with the id of the last event it received.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    public static RouteGroupBuilder MapTaskEndpoints(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks").AddEndpointFilter(new RouteIdFilter("task id"));
        tasks.MapPost("/", SubmitAsync)
            .WithName("submitTask")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Submit a task; answers 202 with its id at once, or 200 with the finished task when ?wait=N (or its type's TaskEngine:TaskTypes:{type}:DefaultWaitSeconds) sees it finish.")
            .Accepts<SubmitTaskRequest>("application/json")
            .Produces<TaskAccepted>(StatusCodes.Status202Accepted)
            .Produces<TaskResource>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        tasks.MapPost("/batch", BatchSubmission.SubmitAsync)
            .WithName("submitBatch")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Submit up to 1,000 tasks, validated as a whole: one bad item refuses the batch and creates nothing; an item whose idempotencyKey names an existing task is replayed (replayed: true).")
            .Accepts<BatchSubmitRequest>("application/json")
            .Produces<BatchSubmitResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        tasks.MapGet("/{id}", GetAsync)
            .WithName("getTask")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("The task now.")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapGet("/{id}/wait", WaitAsync)
            .WithName("waitForTask")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Long poll: the task as soon as it finishes, or as it is when the timeout (seconds) passes.")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapGet("/{id}/events", Events)
            .WithName("streamTaskEvents")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Server-Sent Events: the history so far (or, with Last-Event-ID, what came after that event), then one event per transition and progress report; each event's id is its sequence number; closes when the task finishes.")
            // The body is a stream of events (each data line a TaskEvent), not one JSON document: in OpenAPI 3.1, a string.
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapPost("/{id}/cancel", CancelAsync)
            .WithName("cancelTask")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Cancel a task that has not finished.")
            .Produces<CommandResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tasks.MapPost("/{id}/retry", RetryAsync)
            .WithName("retryTask")
            .RequireAuthorization(ApiPolicies.Submitter)
            .WithSummary("Run a failed or cancelled task again, keeping its history.")
            .Produces<CommandResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext http, TaskEngineClusterClient engine, TaskTypeCatalog types, IOptions<ApiOptions> options, IOptions<TaskTypeOptions> typeOptions, int? wait,
        CancellationToken cancellationToken)
    {
        if (wait is { } seconds && (seconds < 0 || seconds > options.Value.MaxWaitSeconds))
        {
            return ApiProblems.BadRequest($"wait must be between 0 and {options.Value.MaxWaitSeconds} seconds.");
        }

        var keys = http.Request.Headers[IdempotencyKeys.Header];
        if (keys.Count > 1)
        {
            return ApiProblems.BadRequest($"Send one {IdempotencyKeys.Header} header; this request has {keys.Count}.");
        }

        var idempotencyKey = keys.FirstOrDefault();

        var (request, problem) = await JsonBody.ReadAsync<SubmitTaskRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var mapped = SubmitRequestMapper.Map(request, idempotencyKey, Caller(http));
        if (mapped.Submission is not { } submission)
        {
            return mapped.Status == StatusCodes.Status413PayloadTooLarge ? ApiProblems.TooLarge(mapped.Error!) : ApiProblems.BadRequest(mapped.Error!);
        }

        if (await types.RefuseUnknownAsync(submission.Type, cancellationToken) is { } unknown)
        {
            return ApiProblems.BadRequest(unknown);
        }

        // The type's configured wait stands for a missing ?wait= (single submits only); ?wait=0 still answers with the id.
        wait ??= typeOptions.Value.DefaultWaitFor(submission.Type);
        var id = submission.IdempotencyKey is { } key ? IdempotencyKeys.TaskIdFor(Caller(http), key) : TaskEngineClusterClient.NewTaskId();
        var result = await engine.SubmitAsync(submission, id, cancellationToken);
        switch (result.Outcome)
        {
            case SubmitOutcome.Accepted:
                break;
            case SubmitOutcome.AlreadyExists when submission.IdempotencyKey is not null:
                if (!SubmitRequestMapper.SameTask(result.Task!, submission))
                {
                    return Results.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "Idempotency key reused with a different request",
                        detail: $"{IdempotencyKeys.Header} '{submission.IdempotencyKey}' was first used for task {result.TaskId} with a different body.");
                }

                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Accepted(new TaskAccepted(result.TaskId, result.Status) { Replayed = true });
            case SubmitOutcome.QueueFull:
                return ApiProblems.TooMany(http, "The queue is full", result.Reason!);
            default:
                return ApiProblems.BadRequest(result.Reason ?? result.Outcome.ToString());
        }

        if (wait is > 0)
        {
            var finished = await engine.WaitAsync(id, TimeSpan.FromSeconds(wait.Value), cancellationToken);
            if (finished is { } task && task.Status.IsTerminal())
            {
                return Results.Ok(TaskResource.From(task));
            }
        }

        return Accepted(new TaskAccepted(id, result.Status));
    }

    private static async Task<IResult> GetAsync(string id, TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        await engine.GetAsync(id, cancellationToken) is { } task ? Results.Ok(TaskResource.From(task)) : ApiProblems.NotFound(id);

    private static async Task<IResult> WaitAsync(string id, double? timeout, TaskEngineClusterClient engine, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var seconds = timeout ?? 30;
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > options.Value.MaxWaitSeconds)
        {
            return ApiProblems.BadRequest($"timeout must be between 0 and {options.Value.MaxWaitSeconds} seconds.");
        }

        return await engine.WaitAsync(id, TimeSpan.FromSeconds(seconds), cancellationToken) is { } task
            ? Results.Ok(TaskResource.From(task))
            : ApiProblems.NotFound(id);
    }

    private static async Task<IResult> Events(string id, HttpContext http, IGrainFactory grains, TaskEngineClusterClient engine, CancellationToken cancellationToken)
    {
        // A reconnecting client (EventSource does it by itself) says the last event it has; the stream resumes after it.
        var lastEventId = http.Request.Headers[LastEventIdHeader];
        if (!TryReadLastEventId(lastEventId, out var after))
        {
            return ApiProblems.BadRequest(
                $"{LastEventIdHeader} must be one event id this stream sent (the event's sequence number: digits only); got '{Shown(lastEventId.ToString())}'.");
        }

        if (await engine.GetAsync(id, cancellationToken) is null)
        {
            return ApiProblems.NotFound(id);
        }

        return TypedResults.ServerSentEvents(StreamAsync(grains.GetGrainByKey<ITaskGrain>(id), after, cancellationToken));
    }

    /// <summary>The task's events after sequence <paramref name="after"/>; each goes out with its sequence as its SSE id.</summary>
    private static async IAsyncEnumerable<SseItem<TaskEvent>> StreamAsync(ITaskGrain task, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in TaskEventFeed.PagesAsync(task, after, cancellationToken))
        {
            if (page is null)
            {
                yield break;
            }

            foreach (var e in page.Events)
            {
                yield return new SseItem<TaskEvent>(e, e.Kind == TaskEventKind.Progress ? "progress" : "transition") { EventId = e.Sequence.ToString(CultureInfo.InvariantCulture) };
            }
        }
    }

    /// <summary>No header, or an empty one (SSE's "no last event"), starts at the beginning; otherwise one sequence number.</summary>
    private static bool TryReadLastEventId(Microsoft.Extensions.Primitives.StringValues header, out long after)
    {
        after = 0;
        return header.Count switch
        {
            0 => true,
            1 => header[0]!.Trim() is not { Length: > 0 } text || long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out after),
            _ => false,
        };
    }

    private static string Shown(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static async Task<IResult> CancelAsync(HttpContext http, string id, string? reason, TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        reason is { Length: > TaskDefaults.MaxReasonLength }
            ? ApiProblems.BadRequest($"reason must be at most {TaskDefaults.MaxReasonLength} characters; it has {reason.Length}.")
            : Command(id, await engine.CancelAsync(id, reason, Caller(http), cancellationToken));

    private static async Task<IResult> RetryAsync(HttpContext http, string id, TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        Command(id, await engine.RetryAsync(id, Caller(http), cancellationToken));

    private static IResult Command(string id, CommandResult result) =>
        result.Task is null ? ApiProblems.NotFound(id)
        : result.Changed ? Results.Ok(new CommandResponse(true, result.Message, TaskResource.From(result.Task)))
        : ApiProblems.Conflict(result.Message);

    private static AcceptedWithLocation Accepted(TaskAccepted accepted) =>
        new($"/api/tasks/{accepted.Id}", Results.Json(accepted, TaskEngineJson.Options, statusCode: StatusCodes.Status202Accepted));

    /// <summary>
    /// Who is calling: the named key's name, a plain key's <c>key-…</c> id, or <c>anonymous</c> (everyone) when keys are
    /// off. It scopes idempotency keys and is the task's <c>createdBy</c>.
    /// </summary>
    internal static string Caller(HttpContext http) => http.User.Identity?.Name ?? "anonymous";
}
