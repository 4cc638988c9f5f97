using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Api.Hosting;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary><c>/api/tasks</c>: submit, batch, get, wait, events, cancel, retry.</summary>
public static class TaskEndpoints
{
    private static readonly TimeSpan EventWaitSlice = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapTaskEndpoints(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks").AddEndpointFilter(new RouteIdFilter("task id"));
        tasks.MapPost("/", SubmitAsync)
            .WithSummary("Submit a task; answers 202 with its id at once, or 200 with the finished task when ?wait=N sees it finish.")
            .Accepts<SubmitTaskRequest>("application/json")
            .Produces<TaskAccepted>(StatusCodes.Status202Accepted)
            .Produces<TaskResource>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        tasks.MapPost("/batch", SubmitBatchAsync)
            .WithSummary("Submit up to 1,000 tasks, validated as a whole: one bad item refuses the batch and creates nothing.")
            .Accepts<BatchSubmitRequest>("application/json")
            .Produces<BatchSubmitResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        tasks.MapGet("/{id}", GetAsync)
            .WithSummary("The task now.")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapGet("/{id}/wait", WaitAsync)
            .WithSummary("Long poll: the task as soon as it finishes, or as it is when the timeout (seconds) passes.")
            .Produces<TaskResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapGet("/{id}/events", Events)
            .WithSummary("Server-Sent Events: the history so far, then one event per transition and progress report; closes when the task finishes.")
            .Produces<TaskEvent>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        tasks.MapPost("/{id}/cancel", CancelAsync)
            .WithSummary("Cancel a task that has not finished.")
            .Produces<CommandResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tasks.MapPost("/{id}/retry", RetryAsync)
            .WithSummary("Run a failed or cancelled task again, keeping its history.")
            .Produces<CommandResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext http, TaskEngineClusterClient engine, TaskTypeCatalog types, IOptions<ApiOptions> options, int? wait, CancellationToken cancellationToken)
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

        var mapped = SubmitRequestMapper.Map(request, idempotencyKey);
        if (mapped.Submission is not { } submission)
        {
            return mapped.Status == StatusCodes.Status413PayloadTooLarge ? ApiProblems.TooLarge(mapped.Error!) : ApiProblems.BadRequest(mapped.Error!);
        }

        if (await types.RefuseUnknownAsync(submission.Type, cancellationToken) is { } unknown)
        {
            return ApiProblems.BadRequest(unknown);
        }

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
                return Accepted(result.TaskId, result.Status);
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

        return Accepted(id, result.Status);
    }

    private static async Task<IResult> SubmitBatchAsync(HttpContext http, TaskEngineClusterClient engine, TaskTypeCatalog types, CancellationToken cancellationToken)
    {
        if (http.Request.Headers.ContainsKey(IdempotencyKeys.Header))
        {
            // Ignoring it would let a caller believe a retried batch is safe when it would create every task again.
            return ApiProblems.BadRequest(
                $"A batch takes an idempotencyKey on each task (tasks[i].idempotencyKey), not the {IdempotencyKeys.Header} header. Nothing was created.");
        }

        var (batch, problem) = await JsonBody.ReadAsync<BatchSubmitRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var items = batch!.Tasks ?? [];
        if (items.Count is 0 or > BatchSubmitRequest.MaxTasks)
        {
            return ApiProblems.BadRequest($"tasks must hold 1–{BatchSubmitRequest.MaxTasks} tasks; it holds {items.Count}.");
        }

        var submissions = new List<TaskSubmission>(items.Count);
        for (var index = 0; index < items.Count; index++)
        {
            var mapped = SubmitRequestMapper.Map(items[index], null);
            var error = mapped.Error ?? await types.RefuseUnknownAsync(mapped.Submission!.Type, cancellationToken);
            if (error is not null)
            {
                var extensions = new Dictionary<string, object?> { ["index"] = index, ["reason"] = error };
                return mapped.Status == StatusCodes.Status413PayloadTooLarge
                    ? Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large", detail: $"tasks[{index}]: {error}", extensions: extensions)
                    : ApiProblems.BadRequest($"tasks[{index}]: {error} Nothing was created.", extensions);
            }

            submissions.Add(mapped.Submission!);
        }

        // Room in every queue first, so a batch that cannot fit is refused before anything is created.
        foreach (var queue in submissions.GroupBy(s => s.Queue, StringComparer.Ordinal))
        {
            var status = await engine.GetQueueAsync(queue.Key, cancellationToken);
            if (status.Pending + queue.Count() > status.Capacity)
            {
                return ApiProblems.TooMany(http, "The queue is full",
                    $"Queue '{queue.Key}' holds {status.Pending} of {status.Capacity} pending tasks; {queue.Count()} more do not fit. Nothing was created.");
            }
        }

        // One after another, so tasks of one priority keep the batch's order in their queue.
        var accepted = new List<TaskAccepted>(submissions.Count);
        foreach (var submission in submissions)
        {
            var result = await engine.SubmitAsync(submission, submission.IdempotencyKey is { } key ? IdempotencyKeys.TaskIdFor(Caller(http), key) : null, cancellationToken);
            if (result.Outcome is not (SubmitOutcome.Accepted or SubmitOutcome.AlreadyExists))
            {
                // Another caller filled the queue meanwhile: take back what this batch created.
                foreach (var created in accepted)
                {
                    await engine.CancelAsync(created.Id, "batch refused", cancellationToken);
                }

                return ApiProblems.TooMany(http, "The queue is full", $"{result.Reason} The {accepted.Count} task(s) already created were cancelled.");
            }

            accepted.Add(new TaskAccepted(result.TaskId, result.Status));
        }

        return Results.Json(new BatchSubmitResponse(accepted), TaskEngineJson.Options, statusCode: StatusCodes.Status202Accepted);
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

    private static async Task<IResult> Events(string id, IGrainFactory grains, TaskEngineClusterClient engine, CancellationToken cancellationToken)
    {
        if (await engine.GetAsync(id, cancellationToken) is null)
        {
            return ApiProblems.NotFound(id);
        }

        return TypedResults.ServerSentEvents(StreamAsync(grains.GetGrainByKey<ITaskGrain>(id), cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<TaskEvent>> StreamAsync(ITaskGrain task, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long after = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await task.WaitForEvents(after, EventWaitSlice).WaitAsync(cancellationToken);
            if (page is null)
            {
                yield break;
            }

            foreach (var e in page.Events)
            {
                yield return new SseItem<TaskEvent>(e, e.Kind == TaskEventKind.Progress ? "progress" : "transition") { EventId = e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                after = e.Sequence;
            }

            if (page.Finished)
            {
                yield break;
            }
        }
    }

    private static async Task<IResult> CancelAsync(string id, string? reason, TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        reason is { Length: > TaskDefaults.MaxReasonLength }
            ? ApiProblems.BadRequest($"reason must be at most {TaskDefaults.MaxReasonLength} characters; it has {reason.Length}.")
            : Command(id, await engine.CancelAsync(id, reason, cancellationToken));

    private static async Task<IResult> RetryAsync(string id, TaskEngineClusterClient engine, CancellationToken cancellationToken) =>
        Command(id, await engine.RetryAsync(id, cancellationToken));

    private static IResult Command(string id, CommandResult result) =>
        result.Task is null ? ApiProblems.NotFound(id)
        : result.Changed ? Results.Ok(new CommandResponse(true, result.Message, TaskResource.From(result.Task)))
        : ApiProblems.Conflict(result.Message);

    private static AcceptedWithLocation Accepted(string id, TaskState status) =>
        new AcceptedWithLocation($"/api/tasks/{id}", Results.Json(new TaskAccepted(id, status), TaskEngineJson.Options, statusCode: StatusCodes.Status202Accepted));

    /// <summary>Who is calling, for scoping idempotency keys: the API key's id, or everyone when keys are off.</summary>
    private static string Caller(HttpContext http) => http.User.Identity?.Name ?? "anonymous";
}
