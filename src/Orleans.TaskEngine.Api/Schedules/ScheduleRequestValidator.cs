using System.Text.Json;
using Orleans.TaskEngine.Api.Endpoints;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;

namespace Orleans.TaskEngine.Api.Schedules;

/// <summary>Turns a <c>POST /api/schedules</c> body into a <see cref="ScheduleDefinition"/>, or says precisely what is wrong.</summary>
public static class ScheduleRequestValidator
{
    public sealed record Outcome(ScheduleDefinition? Definition, int Status, string? Error);

    /// <param name="createdBy">The caller's identity, the createdBy of every task the schedule submits.</param>
    public static Outcome Validate(CreateScheduleRequest? request, string createdBy)
    {
        if (request is null)
        {
            return Fail("The body must be a JSON object describing the schedule.");
        }

        if (ScheduleClock.TryCreate(request.Cron, request.TimeZone, out var clockError) is not { } clock)
        {
            return Fail(clockError!);
        }

        if (clock.Next(DateTimeOffset.UtcNow) is null)
        {
            return Fail($"cron '{request.Cron}' never fires.");
        }

        if (!TryParse(request.MissedPolicy, ScheduleMissedPolicy.Skip, out var missed))
        {
            return Fail($"missedPolicy '{request.MissedPolicy}' is not one of skip, runOnce.");
        }

        if (!TryParse(request.Overlap, ScheduleOverlap.Allow, out var overlap))
        {
            return Fail($"overlap '{request.Overlap}' is not one of allow, skip.");
        }

        if (request.Task is not { } template)
        {
            return Fail("task is required: the body of a task submit, which each firing submits.");
        }

        // Each firing's task id is derived from the schedule and the fire time; one key would make every firing the first.
        if (template.IdempotencyKey is not null)
        {
            return Fail("task.idempotencyKey is not allowed: each firing's task id is derived from the schedule and its fire time, so no firing is doubled.");
        }

        if (template.RunAt is not null)
        {
            return Fail("task.runAt is not allowed: the schedule says when each task runs (task.delaySeconds may delay each one).");
        }

        var mapped = SubmitRequestMapper.Map(template, idempotencyKey: null, createdBy);
        if (mapped.Submission is not { } submission)
        {
            return new Outcome(null, mapped.Status, $"task: {mapped.Error}");
        }

        return new Outcome(
            new ScheduleDefinition
            {
                Cron = request.Cron!.Trim(),
                TimeZone = request.TimeZone ?? ScheduleClock.DefaultTimeZone,
                Task = submission,
                TaskJson = JsonSerializer.Serialize(template, TaskEngineJson.Options),
                MissedPolicy = missed,
                Overlap = overlap,
            },
            StatusCodes.Status200OK,
            null);
    }

    private static bool TryParse<TEnum>(string? text, TEnum fallback, out TEnum value)
        where TEnum : struct, Enum
    {
        value = fallback;
        return text is null || (Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _));
    }

    private static Outcome Fail(string error) => new(null, StatusCodes.Status400BadRequest, error);
}
