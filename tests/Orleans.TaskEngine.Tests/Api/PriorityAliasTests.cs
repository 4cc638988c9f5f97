using System.Net;
using System.Net.Http.Json;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary><c>medium</c> is accepted as another name for <c>normal</c>; what is stored and answered says <c>normal</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class PriorityAliasTests(ApiCluster fixture)
{
    private readonly HttpClient _http = fixture.Http;

    [Theory]
    [InlineData("medium")]
    [InlineData("Medium")]
    public async Task Medium_is_stored_and_answered_as_normal(string priority)
    {
        using var response = await _http.PostAsync("/api/tasks", TaskApiTests.Json($$"""{"type":"echo","queue":"parked","priority":"{{priority}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<TaskAccepted>(TaskEngineJson.Options);

        Assert.Equal(TaskPriority.Normal, (await fixture.Engine.GetAsync(accepted!.Id))!.Priority);
        var raw = await _http.GetStringAsync($"/api/tasks/{accepted.Id}");
        Assert.Contains("\"priority\":\"normal\"", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("medium", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Medium_is_accepted_in_a_batch_and_stored_as_normal()
    {
        using var response = await _http.PostAsync("/api/tasks/batch", TaskApiTests.Json("""
            {"tasks":[{"type":"echo","queue":"parked","priority":"medium"},{"type":"echo","queue":"parked","priority":"high"}]}
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<BatchSubmitResponse>(TaskEngineJson.Options);

        Assert.Equal(TaskPriority.Normal, (await fixture.Engine.GetAsync(batch!.Tasks[0].Id))!.Priority);
        Assert.Equal(TaskPriority.High, (await fixture.Engine.GetAsync(batch.Tasks[1].Id))!.Priority);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("mediums")]
    [InlineData("1")]
    public async Task An_unknown_priority_is_still_a_400_that_lists_medium_among_the_names(string priority)
    {
        using var response = await _http.PostAsync("/api/tasks", TaskApiTests.Json($$"""{"type":"echo","queue":"parked","priority":"{{priority}}"}"""));

        await TaskApiTests.AssertProblem(response, HttpStatusCode.BadRequest, "low, normal (or medium), high, urgent");
    }

    [Fact]
    public async Task The_openapi_document_describes_medium()
    {
        var openApi = await _http.GetStringAsync("/openapi/v1.json");

        Assert.Contains("medium is accepted as another name", openApi, StringComparison.Ordinal);
    }
}
