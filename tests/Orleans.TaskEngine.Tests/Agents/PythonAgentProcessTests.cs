using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>
/// Real processes: the built API host (embedded silo) and two Python reference agents. One agent is killed with
/// SIGKILL mid-task; its tasks finish on the other within a lease and 5 s, none is lost or completed twice, and the dead
/// agent's late report is refused.
/// </summary>
public sealed class PythonAgentProcessTests
{
    private const int LeaseSeconds = 3;

    [Fact]
    public async Task Two_python_agents_run_200_tasks_and_when_one_is_killed_its_tasks_finish_on_the_other()
    {
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(new Dictionary<string, string>
        {
            ["TaskEngine__Agents__HeartbeatSeconds"] = "1",
            ["TaskEngine__Agents__LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = baseUrl };
        var api = new AgentHttp(http);
        await using var doomed = PythonAgents.Start("doomed", baseUrl);
        await using var survivor = PythonAgents.Start("survivor", baseUrl);
        var doomedId = await PythonAgents.RegisteredIdAsync(doomed);
        await PythonAgents.RegisteredIdAsync(survivor);

        var priorities = new[] { "low", "normal", "high", "urgent" };
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await api.SubmitAsync("py.sleep", priorities[i % 4], payload: new { ms = 20 + (i % 5 * 10) }));
        }

        // Mid-run and mid-task: the doomed agent has finished some tasks and says it holds others. (Killed between two
        // polls with nothing held, the test would prove nothing: CI saw that once.)
        await PythonAgents.UntilMidRunAsync(doomed, completed: 10, holding: 2, TimeSpan.FromSeconds(60));
        doomed.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var held = await PythonAgents.HeldAsync(api, doomed, doomedId);
        Assert.True(held.Count > 0, $"the doomed agent held no task when it was killed: the test proved nothing\n{doomed.Tail(60)}");

        var lateToken = PythonAgents.Events(doomed, "received").First(e => held.Contains(e.GetProperty("task").GetString()!));

        var finished = await PythonAgents.WaitAllFinishedAsync(api, ids, TimeSpan.FromSeconds(120));

        await PythonAgents.AssertEachCompletedOnceAsync(ids, finished, doomed, doomedId, survivor);

        foreach (var id in held)
        {
            var task = finished[id];
            Assert.NotEqual(doomedId, task.GetProperty("assignedTo").GetString());
            var late = task.GetProperty("finishedAt").GetDateTimeOffset() - killedAt;
            Assert.True(late < TimeSpan.FromSeconds(LeaseSeconds + 5), $"task {id}, held by the killed agent, finished {late.TotalSeconds:F1} s after the kill");
        }

        var (status, _) = await api.SendAsync(HttpMethod.Post, $"/api/tasks/{lateToken.GetProperty("task").GetString()}/complete",
            new { leaseToken = lateToken.GetProperty("leaseToken").GetString(), result = "late" });
        Assert.Equal(HttpStatusCode.Conflict, status);

        // SIGTERM: the survivor deregisters, finishes what it runs, and exits cleanly.
        await survivor.StopAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, survivor.ExitCode);
        Assert.NotEmpty(PythonAgents.Events(survivor, "stopped"));
    }

}
