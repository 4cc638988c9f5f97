using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Orleans.TaskEngine.Api.Batches;
using Orleans.TaskEngine.Tests.Api;

namespace Orleans.TaskEngine.Tests.Batches;

/// <summary>Batches need the submitter or admin role; a batch's Idempotency-Key is scoped to the caller's key, as a task's is.</summary>
[Collection(ApiCollection.Name)]
public sealed class BatchRoleTests(ApiCluster fixture)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskEngine:Api:NamedKeys:ci-runner:Key"] = "batch-submitter-secret",
        ["TaskEngine:Api:NamedKeys:ci-runner:Roles:0"] = "submitter",
        ["TaskEngine:Api:NamedKeys:gpu-agent:Key"] = "batch-agent-secret",
        ["TaskEngine:Api:NamedKeys:gpu-agent:Roles:0"] = "agent",
        ["TaskEngine:Api:NamedKeys:ops:Key"] = "batch-admin-secret",
        ["TaskEngine:Api:NamedKeys:ops:Roles:0"] = "admin",
    };

    [Fact]
    public async Task A_submitter_or_admin_reads_and_cancels_a_batch_and_an_agent_only_key_gets_403()
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var submitter = Client(factory, "batch-submitter-secret");
        using var admin = Client(factory, "batch-admin-secret");
        using var agent = Client(factory, "batch-agent-secret");
        var key = "roles-" + Guid.NewGuid().ToString("N");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tasks/batch")
        {
            Content = TaskApiTests.Json("""{"tasks": [{"type": "echo", "queue": "parked"}], "callback": {"type": "echo"}}"""),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var submit = await submitter.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var batchId = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement.GetProperty("batchId").GetString()!;
        Assert.Equal(CallbackBatch.IdFor("ci-runner", key), batchId);

        using var forbiddenGet = await agent.GetAsync($"/api/batches/{batchId}");
        await TaskApiTests.AssertProblem(forbiddenGet, HttpStatusCode.Forbidden, "submitter or admin");
        using var forbiddenCancel = await agent.PostAsync($"/api/batches/{batchId}/cancel", null);
        await TaskApiTests.AssertProblem(forbiddenCancel, HttpStatusCode.Forbidden, "submitter or admin");

        using var read = await submitter.GetAsync($"/api/batches/{batchId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var cancel = await admin.PostAsync($"/api/batches/{batchId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.GetProperty("counts").GetProperty("cancelled").GetInt32());
    }

    private static HttpClient Client(ApiFactory factory, string key)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
