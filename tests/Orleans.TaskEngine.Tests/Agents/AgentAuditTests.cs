using System.Net;
using System.Net.Http.Headers;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>The agents' audit log: registrations and deregistrations with who made them, and the engine's own drains.</summary>
public sealed class AgentAuditTests
{
    [Fact]
    public async Task Register_and_deregister_are_logged_with_the_callers_identity_and_the_drain_as_system_newest_first()
    {
        await using var factory = KeyedApiFactory.Create(("python-fleet", "agent-secret", "agent"), ("ops", "ops-secret", "admin"));
        using var agentHttp = factory.CreateClient();
        agentHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "agent-secret");
        using var opsHttp = factory.CreateClient();
        opsHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ops-secret");
        var fleet = new AgentHttp(agentHttp);
        var ops = new AgentHttp(opsHttp);

        var first = await fleet.RegisterAsync("fleet-1", ["audit.t"]);
        var second = await fleet.RegisterAsync("fleet-2", ["audit.u"]);
        Assert.Equal(HttpStatusCode.Accepted, (await ops.SendAsync(HttpMethod.Delete, $"/api/agents/{first}")).Status);

        // With no lease left, the drain ends at once: logged by the engine.
        var events = await Eventually.Until(
            async () => (await ops.SendAsync(HttpMethod.Get, $"/api/agents/history?agentId={first}")).Body,
            body => body.GetArrayLength() == 3,
            TimeSpan.FromSeconds(30),
            "three events of the first agent");
        Assert.Equal(["drained", "deregistered", "registered"], events.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(["system", "ops", "python-fleet"], events.EnumerateArray().Select(e => e.GetProperty("actor").GetString()));
        var registered = events[2];
        Assert.Equal("fleet-1", registered.GetProperty("name").GetString());
        Assert.Equal(["audit.t"], registered.GetProperty("taskTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.All(events.EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("silo").GetString())));
        Assert.True(events[0].GetProperty("sequence").GetInt64() > events[2].GetProperty("sequence").GetInt64());

        var (_, all) = await ops.SendAsync(HttpMethod.Get, "/api/agents/history?limit=3");
        Assert.Equal([(first, "drained"), (first, "deregistered"), (second, "registered")], all.EnumerateArray().Select(e => (e.GetProperty("agentId").GetString(), e.GetProperty("kind").GetString())));

        // Read by submitters and admins only; bad filters are a 400.
        Assert.Equal(HttpStatusCode.Forbidden, (await fleet.SendAsync(HttpMethod.Get, "/api/agents/history")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.SendAsync(HttpMethod.Get, "/api/agents/history?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.SendAsync(HttpMethod.Get, "/api/agents/history?agentId=nope")).Status);
    }
}
