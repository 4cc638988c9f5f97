using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TaskEngine.Api.Security;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Tests.Api;

/// <summary>
/// Named keys with roles in front of the cluster, beside a plain key: who may call what (403 problems name the role
/// needed), and who a task says submitted it (createdBy, from the key, never from the body).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NamedKeyTests(ApiCluster fixture)
{
    private const string PlainKey = "roles-plain-key";
    private const string SubmitterKey = "ci-runner-secret";
    private const string AgentKey = "gpu-agent-secret";
    private const string AdminKey = "ops-secret";
    private const string AllRolesKey = "everything-secret";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskEngine:Api:Keys:0"] = PlainKey,
        ["TaskEngine:Api:NamedKeys:ci-runner:Key"] = SubmitterKey,
        ["TaskEngine:Api:NamedKeys:ci-runner:Roles:0"] = "submitter",
        ["TaskEngine:Api:NamedKeys:gpu-agent:Key"] = AgentKey,
        ["TaskEngine:Api:NamedKeys:gpu-agent:Roles:0"] = "agent",
        ["TaskEngine:Api:NamedKeys:ops:Key"] = AdminKey,
        ["TaskEngine:Api:NamedKeys:ops:Roles:0"] = "Admin",
        ["TaskEngine:Api:NamedKeys:everything:Key"] = AllRolesKey,
    };

    [Fact]
    public async Task A_submitter_key_submits_and_the_task_says_it_was_created_by_the_keys_name()
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var http = Client(factory, SubmitterKey);

        var task = await SubmitAndGetAsync(http, """{"type":"echo","payload":{"n":1}}""");

        Assert.Equal("ci-runner", task.CreatedBy);
        Assert.Equal("ci-runner", (await fixture.Engine.GetAsync(task.Id))!.CreatedBy);
        var raw = await http.GetStringAsync($"/api/tasks/{task.Id}");
        Assert.Contains("\"createdBy\":\"ci-runner\"", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_only_key_gets_a_403_problem_naming_the_submitter_role_on_task_and_operator_endpoints()
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var agent = Client(factory, AgentKey);
        using var submitter = Client(factory, SubmitterKey);
        var existing = await SubmitAndGetAsync(submitter, """{"type":"echo"}""");
        var before = await fixture.ParkedCount();

        using var submit = await agent.PostAsync("/api/tasks", TaskApiTests.Json("""{"type":"echo","queue":"parked"}"""));
        await AssertForbidden(submit);
        using var batch = await agent.PostAsync("/api/tasks/batch", TaskApiTests.Json("""{"tasks":[{"type":"echo","queue":"parked"}]}"""));
        await AssertForbidden(batch);
        foreach (var path in new[] { $"/api/tasks/{existing.Id}", $"/api/tasks/{existing.Id}/wait?timeout=0", "/api/queues", "/api/workers", "/api/task-types" })
        {
            using var response = await agent.GetAsync(path);
            await AssertForbidden(response);
        }

        using var cancel = await agent.PostAsync($"/api/tasks/{existing.Id}/cancel", null);
        await AssertForbidden(cancel);
        Assert.Equal(before, await fixture.ParkedCount());
    }

    [Theory]
    [InlineData(AdminKey, "ops")]
    [InlineData(AllRolesKey, "everything")]
    public async Task An_admin_key_and_a_named_key_without_roles_may_call_every_endpoint(string key, string name)
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var http = Client(factory, key);

        var task = await SubmitAndGetAsync(http, """{"type":"echo"}""");
        Assert.Equal(name, task.CreatedBy);
        foreach (var path in new[] { "/api/queues", "/api/workers", "/api/task-types", $"/api/tasks/{task.Id}/wait?timeout=5" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
        }

        using var batch = await http.PostAsync("/api/tasks/batch", TaskApiTests.Json("""{"tasks":[{"type":"echo"}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
    }

    [Theory]
    [InlineData(SubmitterKey, true, false, false)]
    [InlineData(AgentKey, false, true, false)]
    [InlineData(AdminKey, true, true, true)]
    [InlineData(AllRolesKey, true, true, true)]
    [InlineData(PlainKey, true, true, true)]
    [InlineData("not-a-key", false, false, false)]
    public async Task Each_policy_lets_in_its_role_and_admin(string key, bool submitter, bool agent, bool admin)
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);

        Assert.Equal(submitter, await AllowedAsync(factory, key, ApiPolicies.Submitter));
        Assert.Equal(agent, await AllowedAsync(factory, key, ApiPolicies.Agent));
        Assert.Equal(admin, await AllowedAsync(factory, key, ApiPolicies.Admin));
    }

    [Fact]
    public async Task A_plain_key_is_recorded_by_its_key_id_in_single_and_batch_submits()
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var http = Client(factory, PlainKey);

        var task = await SubmitAndGetAsync(http, """{"type":"echo"}""");
        Assert.Equal(ApiKeyAuthenticationHandler.KeyId(PlainKey), task.CreatedBy);
        Assert.StartsWith("key-", task.CreatedBy, StringComparison.Ordinal);

        using var batch = await http.PostAsync("/api/tasks/batch", TaskApiTests.Json("""{"tasks":[{"type":"echo"},{"type":"echo","createdBy":"mallory"}]}"""));
        var accepted = await batch.Content.ReadFromJsonAsync<BatchSubmitResponse>(TaskEngineJson.Options);
        foreach (var item in accepted!.Tasks)
        {
            Assert.Equal(ApiKeyAuthenticationHandler.KeyId(PlainKey), (await fixture.Engine.GetAsync(item.Id))!.CreatedBy);
        }
    }

    [Fact]
    public async Task Without_keys_tasks_are_created_by_anonymous_and_a_createdBy_in_the_body_is_ignored()
    {
        var open = await SubmitAndGetAsync(fixture.Http, """{"type":"echo","createdBy":"mallory"}""");
        Assert.Equal("anonymous", open.CreatedBy);

        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var http = Client(factory, SubmitterKey);
        var keyed = await SubmitAndGetAsync(http, """{"type":"echo","createdBy":"mallory"}""");
        Assert.Equal("ci-runner", keyed.CreatedBy);
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_from_two_callers_makes_two_tasks_each_with_its_creator()
    {
        await using var factory = new ApiFactory(fixture.Cluster.Client, Settings);
        using var runner = Client(factory, SubmitterKey);
        using var ops = Client(factory, AdminKey);
        var body = $$"""{"type":"echo","idempotencyKey":"{{Guid.NewGuid():N}}"}""";

        var first = await SubmitAndGetAsync(runner, body);
        var repeat = await SubmitAndGetAsync(runner, body);
        var other = await SubmitAndGetAsync(ops, body);

        Assert.Equal(first.Id, repeat.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal("ci-runner", first.CreatedBy);
        Assert.Equal("ops", other.CreatedBy);
    }

    private static HttpClient Client(ApiFactory factory, string key)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static async Task<TaskResource> SubmitAndGetAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/api/tasks", TaskApiTests.Json(body));
        Assert.True(response.IsSuccessStatusCode, $"submit: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var accepted = await response.Content.ReadFromJsonAsync<TaskAccepted>(TaskEngineJson.Options);
        return (await http.GetFromJsonAsync<TaskResource>($"/api/tasks/{accepted!.Id}", TaskEngineJson.Options))!;
    }

    private static async Task AssertForbidden(HttpResponseMessage response)
    {
        await TaskApiTests.AssertProblem(response, HttpStatusCode.Forbidden, "submitter or admin");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("gpu-agent", body, StringComparison.Ordinal);
    }

    /// <summary>Authenticates the key as the API does and evaluates the policy for the principal it makes.</summary>
    private static async Task<bool> AllowedAsync(ApiFactory factory, string key, string policy)
    {
        using var scope = factory.Services.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + key;
        var user = (await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName)).Principal ?? new ClaimsPrincipal(new ClaimsIdentity());
        var result = await scope.ServiceProvider.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, policy);
        return result.Succeeded;
    }
}
