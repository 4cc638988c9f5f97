using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Schedules;

/// <summary><c>/api/schedules</c>: create, list, get, pause, resume, trigger, delete, and the runs of a schedule.</summary>
public static class ScheduleEndpoints
{
    public static RouteGroupBuilder MapScheduleEndpoints(this RouteGroupBuilder api)
    {
        var schedules = api.MapGroup("/schedules").WithTags("Schedules").AddEndpointFilter(new RouteIdFilter("schedule id"))
            .RequireAuthorization(ApiPolicies.Submitter);
        schedules.MapPost("/", CreateAsync)
            .WithName("createSchedule")
            .WithSummary("Create a recurring schedule: a cron (5 fields, or 6 with seconds) in a time zone, and the task each firing submits.")
            .Accepts<CreateScheduleRequest>("application/json")
            .Produces<ScheduleResource>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        schedules.MapGet("/", ListAsync)
            .WithName("listSchedules")
            .WithSummary("Every schedule, with its next fire times.")
            .Produces<ScheduleResource[]>();
        schedules.MapGet("/{id}", GetAsync)
            .WithName("getSchedule")
            .WithSummary("The schedule, with its next 5 fire times (none while paused).")
            .Produces<ScheduleResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapPost("/{id}/pause", PauseAsync)
            .WithName("pauseSchedule")
            .WithSummary("Stop firing until resumed.")
            .Produces<ScheduleResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapPost("/{id}/resume", ResumeAsync)
            .WithName("resumeSchedule")
            .WithSummary("Fire again from now on; the fire times passed while paused are not missed firings.")
            .Produces<ScheduleResource>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapPost("/{id}/trigger", TriggerAsync)
            .WithName("triggerSchedule")
            .WithSummary("Fire now (paused or not, whatever the overlap rule); answers the run.")
            .Produces<ScheduleRunResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        schedules.MapDelete("/{id}", DeleteAsync)
            .WithName("deleteSchedule")
            .WithSummary("Delete the schedule; the tasks it submitted stay.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapGet("/{id}/runs", RunsAsync)
            .WithName("listScheduleRuns")
            .WithSummary("The schedule's recent runs (the last 100), newest first: each task's id, fire time and status now (purged once the task is gone).")
            .Produces<ScheduleRunResource[]>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, TaskTypeCatalog types, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateScheduleRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var validated = ScheduleRequestValidator.Validate(request, http.User.Identity?.Name ?? "anonymous");
        if (validated.Definition is not { } definition)
        {
            return validated.Status == StatusCodes.Status413PayloadTooLarge ? ApiProblems.TooLarge(validated.Error!) : ApiProblems.BadRequest(validated.Error!);
        }

        if (await types.RefuseUnknownAsync(definition.Task.Type, cancellationToken) is { } unknown)
        {
            return ApiProblems.BadRequest($"task: {unknown}");
        }

        var id = ScheduleIds.NewId();
        var schedule = await grains.GetGrainByKey<IScheduleGrain>(id).Create(definition).WaitAsync(cancellationToken);
        return new AcceptedWithLocation($"/api/schedules/{id}", Results.Json(ScheduleResource.From(schedule), TaskEngineJson.Options, statusCode: StatusCodes.Status201Created));
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var ids = await grains.GetGrain<IScheduleDirectoryGrain>(0).List().WaitAsync(cancellationToken);
        var schedules = await Task.WhenAll(ids.Select(id => grains.GetGrainByKey<IScheduleGrain>(id).Get().WaitAsync(cancellationToken)));
        return Results.Ok(schedules.OfType<ScheduleInfo>().OrderBy(s => s.CreatedAt).Select(ScheduleResource.From).ToArray());
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        Answer(id, await Schedule(grains, id).Get().WaitAsync(cancellationToken));

    private static async Task<IResult> PauseAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        Answer(id, await Schedule(grains, id).Pause().WaitAsync(cancellationToken));

    private static async Task<IResult> ResumeAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        Answer(id, await Schedule(grains, id).Resume().WaitAsync(cancellationToken));

    private static async Task<IResult> TriggerAsync(string id, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await Schedule(grains, id).Trigger().WaitAsync(cancellationToken) is not { } fired)
        {
            return NotFound(id);
        }

        var submit = fired.Submit;
        return submit.Outcome switch
        {
            SubmitOutcome.Accepted or SubmitOutcome.AlreadyExists =>
                Results.Json(new ScheduleRunResource(fired.Run.TaskId, fired.Run.FireTime, Status(submit.Status)), TaskEngineJson.Options, statusCode: StatusCodes.Status202Accepted),
            SubmitOutcome.QueueFull => ApiProblems.TooMany(http, "The queue is full", submit.Reason!),
            _ => ApiProblems.BadRequest(submit.Reason ?? submit.Outcome.ToString()),
        };
    }

    private static async Task<IResult> DeleteAsync(string id, IGrainFactory grains, CancellationToken cancellationToken) =>
        await Schedule(grains, id).Delete().WaitAsync(cancellationToken) ? Results.NoContent() : NotFound(id);

    private static async Task<IResult> RunsAsync(string id, IGrainFactory grains, TaskEngineClusterClient engine, CancellationToken cancellationToken)
    {
        if (await Schedule(grains, id).GetRuns().WaitAsync(cancellationToken) is not { } runs)
        {
            return NotFound(id);
        }

        var tasks = await Task.WhenAll(runs.Select(r => engine.GetAsync(r.TaskId, cancellationToken)));
        return Results.Ok(runs.Select((r, i) => new ScheduleRunResource(r.TaskId, r.FireTime, tasks[i] is { } task ? Status(task.Status) : ScheduleRunResource.Purged)).ToArray());
    }

    private static IScheduleGrain Schedule(IGrainFactory grains, string id) => grains.GetGrainByKey<IScheduleGrain>(id);

    private static string Status(TaskState state) => state.ToString().ToLowerInvariant();

    private static IResult Answer(string id, ScheduleInfo? schedule) =>
        schedule is null ? NotFound(id) : Results.Json(ScheduleResource.From(schedule), TaskEngineJson.Options);

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule '{id}'.");
}
