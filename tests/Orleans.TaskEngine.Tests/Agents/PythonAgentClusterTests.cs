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
        await using var doomed = PythonAgents.Start("doomed", baseUrl);
        await using var survivor = PythonAgents.Start("survivor", baseUrl);
        await ExplainFailuresAsync(cluster, [doomed, survivor], async () =>
        {
            // The silos' timings (the agent grain answers a registration with them), on a probe agent of its own type.
            var (probeStatus, probe) = await api.SendAsync(HttpMethod.Post, "/api/agents", new { name = "probe", taskTypes = ProbeTypes });
            Assert.True(probeStatus == HttpStatusCode.Created, $"register answered {probeStatus}: {probe}");
            Assert.Equal(HeartbeatSeconds, probe.GetProperty("heartbeatSeconds").GetInt32());
            Assert.Equal(LeaseSeconds, probe.GetProperty("leaseSeconds").GetInt32());
            Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(HttpMethod.Delete, $"/api/agents/{probe.GetProperty("id").GetString()}")).Status);

            var doomedId = await PythonAgents.RegisteredIdAsync(doomed);
            var survivorId = await PythonAgents.RegisteredIdAsync(survivor);
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
            await PythonAgents.UntilMidRunAsync(doomed, completed: 10, holding: 2, TimeSpan.FromSeconds(90));
            doomed.Kill();
            var killedAt = DateTimeOffset.UtcNow;

            var held = await PythonAgents.HeldAsync(api, doomed, doomedId);

            var ids = await submitting.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(200, ids.Distinct().Count());
            Assert.True(held.Count > 0, $"the doomed agent held no task when it was killed: the test proved nothing\n{doomed.Tail(60)}");
            var lateToken = PythonAgents.Events(doomed, "received").First(e => held.Contains(e.GetProperty("task").GetString()!));

            var finished = await PythonAgents.WaitAllFinishedAsync(api, ids, TimeSpan.FromSeconds(180));

            await PythonAgents.AssertEachCompletedOnceAsync(ids, finished, doomed, doomedId, survivor);

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
            Assert.NotEmpty(PythonAgents.Events(survivor, "stopped"));
            output.WriteLine($"doomed completed {PythonAgents.Events(doomed, "completed").Count} (+{ids.Count - PythonAgents.Events(doomed, "completed").Count - PythonAgents.Events(survivor, "completed").Count} unprinted), survivor {PythonAgents.Events(survivor, "completed").Count}; " +
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

}
