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
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "examples", "python-agent", "agent.py");

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
        await using var doomed = StartAgent("doomed", baseUrl);
        await using var survivor = StartAgent("survivor", baseUrl);
        var doomedId = await RegisteredIdAsync(doomed);
        await RegisteredIdAsync(survivor);

        var priorities = new[] { "low", "normal", "high", "urgent" };
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await api.SubmitAsync("py.sleep", priorities[i % 4], payload: new { ms = 20 + (i % 5 * 10) }));
        }

        // Mid-run: the doomed agent has finished some tasks and holds others.
        await Eventually.Until(() => Task.FromResult(Events(doomed, "completed").Count), n => n >= 10, TimeSpan.FromSeconds(60), "the doomed agent to complete 10 tasks");
        doomed.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        // What it held when it died: running on it by the server's account (a report accepted just before the kill is not).
        var held = new List<string>();
        foreach (var id in Events(doomed, "received").Select(e => e.GetProperty("task").GetString()!).Distinct())
        {
            var task = await api.GetTaskAsync(id);
            if (task.GetProperty("status").GetString() == "running" && task.GetProperty("assignedTo").GetString() == doomedId)
            {
                held.Add(id);
            }
        }

        var lateToken = Events(doomed, "received").First(e => held.Contains(e.GetProperty("task").GetString()!));

        var finished = new Dictionary<string, JsonElement>();
        await Eventually.Until(async () =>
        {
            foreach (var id in ids.Where(id => !finished.ContainsKey(id)))
            {
                var task = await api.GetTaskAsync(id);
                if (task.GetProperty("status").GetString() is "completed" or "failed" or "cancelled")
                {
                    finished[id] = task;
                }
            }

            return finished.Count;
        }, n => n == ids.Count, TimeSpan.FromSeconds(120), "all 200 tasks to finish");

        Assert.All(finished.Values, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        // The survivor prints a completion once its answer has come back, a moment after the server stored it: wait for
        // the lines of every task it finished.
        var survivorTasks = finished.Where(t => t.Value.GetProperty("assignedTo").GetString() != doomedId).Select(t => t.Key).ToList();
        await Eventually.Until(() => Task.FromResult(Events(survivor, "completed").Select(e => e.GetProperty("task").GetString()!).ToHashSet()),
            printed => survivorTasks.All(printed.Contains), TimeSpan.FromSeconds(30), "the survivor to print every completion it made");
        var completions = Events(doomed, "completed").Concat(Events(survivor, "completed")).Select(e => e.GetProperty("task").GetString()!).ToList();
        Assert.Equal(completions.Count, completions.Distinct().Count());
        Assert.Subset(ids.ToHashSet(), completions.ToHashSet());

        // A completion the agents did not print was accepted from the doomed agent just before it was killed, before it
        // could print it: the server has it from that agent, once.
        Assert.All(ids.Except(completions), id => Assert.Equal(doomedId, finished[id].GetProperty("assignedTo").GetString()));

        Assert.NotEmpty(held);
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
        Assert.NotEmpty(Events(survivor, "stopped"));
    }

    private static EngineProcess StartAgent(string name, Uri baseUrl) =>
        EngineProcess.StartProgram(name, "python3", [Script, "--url", baseUrl.ToString(), "--name", name, "--concurrency", "8"], RepositoryPaths.Root);

    private static async Task<string> RegisteredIdAsync(EngineProcess agent)
    {
        await agent.WaitForOutputAsync("\"registered\"", TimeSpan.FromSeconds(30));
        return Events(agent, "registered")[0].GetProperty("id").GetString()!;
    }

    private static List<JsonElement> Events(EngineProcess agent, string kind) =>
        [.. agent.Output.Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.GetProperty("event").GetString() == kind)];
}
