using System.Net;
using System.Net.Http.Headers;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>Named keys and roles on the agent endpoints: an agent-only key can run tasks and nothing else.</summary>
public sealed class AgentRoleTests
{
    [Fact]
    public async Task An_agent_key_registers_polls_and_reports_and_gets_403_elsewhere_and_a_submitter_key_cannot_act_as_an_agent()
    {
        await using var factory = KeyedApiFactory.Create(("python-fleet", "agent-secret", "agent"), ("backend", "submit-secret", "submitter"));
        using var agentHttp = factory.CreateClient();
        agentHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "agent-secret");
        using var backendHttp = factory.CreateClient();
        backendHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "submit-secret");
        var agentApi = new AgentHttp(agentHttp);
        var backend = new AgentHttp(backendHttp);

        Assert.Equal(HttpStatusCode.Forbidden, (await backend.SendAsync(HttpMethod.Post, "/api/agents", new { name = "x", taskTypes = new[] { "role.t" } })).Status);
        var agent = await agentApi.RegisterAsync("fleet-1", ["role.t"]);
        var taskId = await backend.SubmitAsync("role.t");
        var lease = Assert.Single(await agentApi.PollAsync(agent));
        Assert.Equal(HttpStatusCode.Forbidden, (await backend.CompleteAsync(lease, "not mine")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await backend.SendAsync(HttpMethod.Post, $"/api/agents/{agent}/heartbeat", new { })).Status);
        Assert.Equal(HttpStatusCode.OK, (await agentApi.CompleteAsync(lease, "done")).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await agentApi.SendAsync(HttpMethod.Post, "/api/tasks", new { type = "role.t", payload = 1 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await agentApi.SendAsync(HttpMethod.Get, $"/api/tasks/{taskId}")).Status);
        var (forbidden, problem) = await agentApi.SendAsync(HttpMethod.Get, "/api/agents");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Contains("role", problem.GetProperty("title").GetString()!, StringComparison.Ordinal);

        var task = await backend.GetTaskAsync(taskId);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal("backend", task.GetProperty("createdBy").GetString());
        Assert.Equal(agent, task.GetProperty("assignedTo").GetString());
        var (_, listed) = await backend.SendAsync(HttpMethod.Get, $"/api/agents/{agent}");
        Assert.Equal("fleet-1", listed.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await new AgentHttp(factory.CreateClient()).SendAsync(HttpMethod.Post, "/api/agents", new { name = "x", taskTypes = new[] { "t" } })).Status);
    }
}
