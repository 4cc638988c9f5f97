using System.Globalization;
using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>
/// <see cref="PythonAgentProcessTests"/> as it runs in production: two silo processes on PostgreSQL and the API host in
/// Client mode, and two Python reference agents. One agent is killed with SIGKILL mid-run; its tasks finish on the other
/// within a lease and 5 s, none is lost or completed twice, and the dead agent's late report is refused.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PythonAgentClusterTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int HeartbeatSeconds = 1;
    private const int LeaseSeconds = 3;
    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];
    private static readonly string[] ProbeTypes = ["probe.only"];
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "examples", "python-agent", "agent.py");

    [Fact]
    public async Task Two_python_agents_on_a_two_silo_cluster_run_200_tasks_and_when_one_is_killed_its_tasks_finish_on_the_other()
    {
        // The silos run the agents' grains (liveness, leases); the API host validates registrations: both get the timings.
        var settings = new Dictionary<string, string>
        {
            ["TaskEngine__Agents__HeartbeatSeconds"] = HeartbeatSeconds.ToString(CultureInfo.InvariantCulture),
            ["TaskEngine__Agents__LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        };
        await using var cluster = await ProcessCluster.StartAsync(postgres, $"pyagents_{Guid.NewGuid():N}"[..20], silos: 2, settings: settings);
        var baseUrl = cluster.ApiHttp.BaseAddress!;
        var api = new AgentHttp(cluster.ApiHttp);
        await using var doomed = StartAgent("doomed", baseUrl);
        await using var survivor = StartAgent("survivor", baseUrl);
        await ExplainFailuresAsync(cluster, [doomed, survivor], async () =>
        {
            // The silos' timings (the agent grain answers a registration with them), on a probe agent of its own type.
            var (probeStatus, probe) = await api.SendAsync(HttpMethod.Post, "/api/agents", new { name = "probe", taskTypes = ProbeTypes });
            Assert.True(probeStatus == HttpStatusCode.Created, $"register answered {probeStatus}: {probe}");
            Assert.Equal(HeartbeatSeconds, probe.GetProperty("heartbeatSeconds").GetInt32());
            Assert.Equal(LeaseSeconds, probe.GetProperty("leaseSeconds").GetInt32());
            Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(HttpMethod.Delete, $"/api/agents/{probe.GetProperty("id").GetString()}")).Status);

            var doomedId = await RegisteredIdAsync(doomed);
            var survivorId = await RegisteredIdAsync(survivor);
            var (_, registered) = await api.SendAsync(HttpMethod.Get, $"/api/agents/{doomedId}");
            Assert.Equal("active", registered.GetProperty("state").GetString());

            // Submitted one by one while the agents run them: the cluster stores tasks more slowly than two agents of 8
            // slots run them, so the kill below must come during the submits to come mid-run. Tasks of 150–350 ms keep a
            // few in each agent's hands at any moment, and the survivor alone still keeps up with the submits afterwards.
            var submitting = Task.Run(async () =>
            {
                var submitted = new List<string>();
                for (var i = 0; i < 200; i++)
                {
                    submitted.Add(await api.SubmitAsync("py.sleep", Priorities[i % 4], payload: new { ms = 150 + (i % 5 * 50) }));
                }

                return submitted;
            });

            // Mid-run and mid-task: the doomed agent has finished 10 tasks and says it holds at least two others.
            await Eventually.Until(() => Task.FromResult((Completed: Events(doomed, "completed").Count, Holding: Events(doomed, "received").Count - Events(doomed, "completed").Count)),
                n => n.Completed >= 10 && n.Holding >= 2, TimeSpan.FromSeconds(90), "the doomed agent to complete 10 tasks and hold 2");
            doomed.Kill();
            var killedAt = DateTimeOffset.UtcNow;

            // What it held when it died: running on it by the server's account (a report accepted just before the kill is not).
            var held = new List<string>();
            var seen = new List<string>();
            foreach (var id in Events(doomed, "received").Select(e => e.GetProperty("task").GetString()!).Distinct())
            {
                var task = await api.GetTaskAsync(id);
                seen.Add($"{id} {task.GetProperty("status").GetString()} {task.GetProperty("assignedTo")}");
                if (task.GetProperty("status").GetString() == "running" && task.GetProperty("assignedTo").GetString() == doomedId)
                {
                    held.Add(id);
                }
            }

            var ids = await submitting.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(200, ids.Distinct().Count());
            Assert.True(held.Count > 0, $"the doomed agent held no task when it was killed: the test proved nothing; it received:\n{string.Join('\n', seen)}\n{doomed.Tail(60)}");
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
            }, n => n == ids.Count, TimeSpan.FromSeconds(180), "all 200 tasks to finish");

            Assert.All(finished.Values, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
            // The survivor prints a completion once its answer has come back, a moment after the server stored it: wait for
            // the lines of every task it finished.
            var survivorTasks = finished.Where(t => t.Value.GetProperty("assignedTo").GetString() != doomedId).Select(t => t.Key).ToList();
            await Eventually.Until(() => Task.FromResult(Events(survivor, "completed").Select(e => e.GetProperty("task").GetString()!).ToHashSet()),
                printed => survivorTasks.All(printed.Contains), TimeSpan.FromSeconds(30), "the survivor to print every completion it made");
            var completions = Events(doomed, "completed").Concat(Events(survivor, "completed")).Select(e => e.GetProperty("task").GetString()!).ToList();
            Assert.Equal(completions.Count, completions.Distinct().Count());
            Assert.Subset(ids.ToHashSet(), completions.ToHashSet());

            // A completion the agents did not print was accepted from the doomed agent just before it was killed, before
            // it could print it: the server has it from that agent, once.
            var unprinted = ids.Except(completions).ToList();
            Assert.All(unprinted, id => Assert.Equal(doomedId, finished[id].GetProperty("assignedTo").GetString()));

            var lateness = new List<TimeSpan>();
            foreach (var id in held)
            {
                var task = finished[id];
                Assert.Equal(survivorId, task.GetProperty("assignedTo").GetString());
                var late = task.GetProperty("finishedAt").GetDateTimeOffset() - killedAt;
                lateness.Add(late);
                Assert.True(late < TimeSpan.FromSeconds(LeaseSeconds + 5), $"task {id}, held by the killed agent, finished {late.TotalSeconds:F1} s after the kill");
            }

            var heldTask = lateToken.GetProperty("task").GetString();
            var (status, body) = await api.SendAsync(HttpMethod.Post, $"/api/tasks/{heldTask}/complete",
                new { leaseToken = lateToken.GetProperty("leaseToken").GetString(), result = "late" });
            Assert.True(status == HttpStatusCode.Conflict, $"the killed agent's late complete of {heldTask} answered {status}: {body}");
            Assert.Equal(survivorId, (await api.GetTaskAsync(heldTask!)).GetProperty("assignedTo").GetString());

            // SIGTERM: the survivor deregisters, finishes what it runs, and exits cleanly.
            await survivor.StopAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, survivor.ExitCode);
            Assert.NotEmpty(Events(survivor, "stopped"));
            output.WriteLine($"doomed completed {Events(doomed, "completed").Count} (+{unprinted.Count} unprinted), survivor {Events(survivor, "completed").Count}; " +
                $"{held.Count} held at the kill finished {lateness.Min().TotalSeconds:F1}..{lateness.Max().TotalSeconds:F1} s after it");
        });
    }

    /// <summary>A failure that is not an assertion comes back with the tail of every process's output, agents included.</summary>
    private static async Task ExplainFailuresAsync(ProcessCluster cluster, EngineProcess[] agents, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + cluster.Logs() + "\n" + string.Join('\n', agents.Select(a => a.Tail(25))), ex);
        }
    }

    private static EngineProcess StartAgent(string name, Uri baseUrl) =>
        EngineProcess.StartProgram(name, "python3", [Script, "--url", baseUrl.ToString(), "--name", name, "--concurrency", "8"], RepositoryPaths.Root);

    private static async Task<string> RegisteredIdAsync(EngineProcess agent)
    {
        await agent.WaitForOutputAsync("\"registered\"", TimeSpan.FromSeconds(60));
        return Events(agent, "registered")[0].GetProperty("id").GetString()!;
    }

    private static List<JsonElement> Events(EngineProcess agent, string kind) =>
        [.. agent.Output.Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.GetProperty("event").GetString() == kind)];
}
