using System.Net;
using System.Net.Http.Headers;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

public sealed class ScheduleRoleTests
{
    [Fact]
    public async Task Schedules_take_role_submitter_or_admin_and_refuse_an_agent_key_and_no_key()
    {
        await using var factory = KeyedApiFactory.Create(("backend", "submit-secret", "submitter"), ("ops", "admin-secret", "admin"), ("fleet", "agent-secret", "agent"));
        using var submitter = Client(factory, "submit-secret");
        using var admin = Client(factory, "admin-secret");
        using var agent = Client(factory, "agent-secret");
        using var anonymous = factory.CreateClient();

        var schedule = await submitter.CreateAsync("""{"cron":"0 0 1 1 *","task":{"type":"echo"}}""");
        Assert.Equal(schedule.Id, (await admin.CommandAsync(schedule.Id, "pause")).Id);

        using var create = await agent.PostAsync("/api/schedules", ScheduleHttp.Json("""{"cron":"0 0 1 1 *","task":{"type":"echo"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        using var runs = await agent.GetAsync($"/api/schedules/{schedule.Id}/runs");
        Assert.Equal(HttpStatusCode.Forbidden, runs.StatusCode);
        using var list = await anonymous.GetAsync("/api/schedules");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    private static HttpClient Client(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
