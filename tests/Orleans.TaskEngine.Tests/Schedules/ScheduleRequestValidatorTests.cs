using System.Text.Json;
using Orleans.TaskEngine.Api.Schedules;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;

namespace Orleans.TaskEngine.Tests.Schedules;

public sealed class ScheduleRequestValidatorTests
{
    private static readonly SubmitTaskRequest Echo = new() { Type = "echo", Payload = JsonSerializer.SerializeToElement(new { n = 1 }) };

    [Fact]
    public void Defaults_are_utc_skip_and_allow_and_the_template_becomes_each_firings_submission()
    {
        var outcome = ScheduleRequestValidator.Validate(new CreateScheduleRequest { Cron = "*/5 * * * *", Task = Echo with { Queue = "q1" } }, "alice");

        var definition = outcome.Definition!;
        Assert.Equal("UTC", definition.TimeZone);
        Assert.Equal(ScheduleMissedPolicy.Skip, definition.MissedPolicy);
        Assert.Equal(ScheduleOverlap.Allow, definition.Overlap);
        Assert.Equal("echo", definition.Task.Type);
        Assert.Equal("q1", definition.Task.Queue);
        Assert.Equal("alice", definition.Task.CreatedBy);
        Assert.Null(definition.Task.IdempotencyKey);
        Assert.Equal("""{"type":"echo","payload":{"n":1},"queue":"q1"}""", definition.TaskJson);
    }

    [Fact]
    public void Policies_are_read_by_name()
    {
        var definition = ScheduleRequestValidator.Validate(
            new CreateScheduleRequest { Cron = "0 * * * * *", TimeZone = "Europe/Paris", Task = Echo, MissedPolicy = "runOnce", Overlap = "skip" }, "a").Definition!;

        Assert.Equal(ScheduleMissedPolicy.RunOnce, definition.MissedPolicy);
        Assert.Equal(ScheduleOverlap.Skip, definition.Overlap);
        Assert.Equal("Europe/Paris", definition.TimeZone);
    }

    [Theory]
    [InlineData("""{"cron":"not a cron","task":{"type":"echo"}}""", "cron 'not a cron' has 3 fields")]
    [InlineData("""{"cron":"*/5 * * * *","timeZone":"Nowhere/Atlantis","task":{"type":"echo"}}""", "timeZone 'Nowhere/Atlantis'")]
    [InlineData("""{"cron":"0 0 30 2 *","task":{"type":"echo"}}""", "never fires")]
    [InlineData("""{"cron":"*/5 * * * *"}""", "task is required")]
    [InlineData("""{"cron":"*/5 * * * *","task":{"type":"echo","idempotencyKey":"k1"}}""", "task.idempotencyKey is not allowed")]
    [InlineData("""{"cron":"*/5 * * * *","task":{"type":"echo","runAt":"2030-01-01T00:00:00Z"}}""", "task.runAt is not allowed")]
    [InlineData("""{"cron":"*/5 * * * *","task":{"type":"echo","priority":"asap"}}""", "task: priority 'asap'")]
    [InlineData("""{"cron":"*/5 * * * *","task":{"type":"echo"},"missedPolicy":"catchUp"}""", "missedPolicy 'catchUp'")]
    [InlineData("""{"cron":"*/5 * * * *","task":{"type":"echo"},"overlap":"1"}""", "overlap '1'")]
    public void A_bad_request_is_refused_with_what_is_wrong(string body, string reason)
    {
        var request = JsonSerializer.Deserialize<CreateScheduleRequest>(body, TaskEngineJson.Options);

        var outcome = ScheduleRequestValidator.Validate(request, "a");

        Assert.Null(outcome.Definition);
        Assert.Equal(400, outcome.Status);
        Assert.Contains(reason, outcome.Error, StringComparison.Ordinal);
    }
}
