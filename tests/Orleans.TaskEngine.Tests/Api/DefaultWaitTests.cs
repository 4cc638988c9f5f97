using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary><c>TaskEngine:TaskTypes:{type}:DefaultWaitSeconds</c>: the sync/async switch of a task type, by configuration alone.</summary>
public sealed class DefaultWaitTests
{
    [Fact]
    public async Task A_type_with_a_DefaultWaitSeconds_answers_200_with_the_finished_task_without_wait_and_202_with_wait_0()
    {
        await using var factory = KeyedApiFactory.Create().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:TaskTypes:delay:DefaultWaitSeconds", "30")
            .UseSetting("TaskEngine:TaskTypes:delay:Description", "waits, then answers")
            .UseSetting("TaskEngine:TaskTypes:described.only", "the plain form still works"));
        using var http = factory.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(90);

        using var sync = await http.PostAsync("/api/tasks", Json("""{"type":"delay","payload":{"ms":200}}"""));
        Assert.Equal(HttpStatusCode.OK, sync.StatusCode);
        var task = await sync.Content.ReadFromJsonAsync<TaskResource>(TaskEngineJson.Options);
        Assert.Equal(TaskState.Completed, task!.Status);

        using var forced = await http.PostAsync("/api/tasks?wait=0", Json("""{"type":"delay","payload":{"ms":200}}"""));
        Assert.Equal(HttpStatusCode.Accepted, forced.StatusCode);

        // A type without the setting answers with the id, as before; the plain-string form still names a known type.
        using var async = await http.PostAsync("/api/tasks", Json("""{"type":"echo"}"""));
        Assert.Equal(HttpStatusCode.Accepted, async.StatusCode);
        using var described = await http.PostAsync("/api/tasks", Json("""{"type":"described.only"}"""));
        Assert.Equal(HttpStatusCode.Accepted, described.StatusCode);
    }

    [Theory]
    [InlineData("61", "is over TaskEngine:Api:MaxWaitSeconds (60)")]
    [InlineData("-1", "must not be negative")]
    [InlineData("soon", "must be a whole number of seconds")]
    public async Task A_DefaultWaitSeconds_over_the_max_negative_or_not_a_number_stops_the_host_naming_the_setting(string value, string reason)
    {
        await using var factory = KeyedApiFactory.Create().WithWebHostBuilder(b => b.UseSetting("TaskEngine:TaskTypes:echo:DefaultWaitSeconds", value));

        var failure = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(failure);
        Assert.Contains("TaskEngine:TaskTypes:echo:DefaultWaitSeconds", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains(reason, failure.ToString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
