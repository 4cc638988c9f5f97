using System.Text.Json;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>
/// The Python reference agent as the process tests drive it: started as a process, read through the JSON lines it prints,
/// and the checks every "kill one agent mid-run" test makes.
/// </summary>
internal static class PythonAgents
{
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "examples", "python-agent", "agent.py");

    public static EngineProcess Start(string name, Uri baseUrl) =>
        EngineProcess.StartProgram(name, "python3", [Script, "--url", baseUrl.ToString(), "--name", name, "--concurrency", "8"], RepositoryPaths.Root);

    public static async Task<string> RegisteredIdAsync(EngineProcess agent)
    {
        await agent.WaitForOutputAsync("\"registered\"", TimeSpan.FromSeconds(30));
        return Events(agent, "registered")[0].GetProperty("id").GetString()!;
    }

    /// <summary>The agent's events of one kind (registered, received, completed, …), in the order it printed them.</summary>
    public static List<JsonElement> Events(EngineProcess agent, string kind) =>
        [.. agent.Output.Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.GetProperty("event").GetString() == kind)];

    /// <summary>Waits until the agent, by its own account, has completed <paramref name="completed"/> tasks and holds <paramref name="holding"/> others.</summary>
    public static Task UntilMidRunAsync(EngineProcess agent, int completed, int holding, TimeSpan timeout) =>
        Eventually.Until(
            () => Task.FromResult((Completed: Events(agent, "completed").Count, Holding: Events(agent, "received").Count - Events(agent, "completed").Count)),
            n => n.Completed >= completed && n.Holding >= holding, timeout, $"{agent.Name} to complete {completed} tasks and hold {holding}");

    /// <summary>
    /// What a killed agent held: running on it by the server's account (a report accepted just before the kill is not).
    /// Read at once and all together, only for the tasks it received and did not say it completed: its leases last
    /// seconds, and once one runs out the task is someone else's.
    /// </summary>
    public static async Task<List<string>> HeldAsync(AgentHttp api, EngineProcess killed, string killedId)
    {
        var done = Events(killed, "completed").Select(e => e.GetProperty("task").GetString()!).ToHashSet(StringComparer.Ordinal);
        var candidates = Events(killed, "received").Select(e => e.GetProperty("task").GetString()!).Distinct().Where(id => !done.Contains(id)).ToList();
        var tasks = await Task.WhenAll(candidates.Select(async id => (Id: id, Task: await api.GetTaskAsync(id))));
        return [.. tasks
            .Where(t => t.Task.GetProperty("status").GetString() == "running" && t.Task.GetProperty("assignedTo").GetString() == killedId)
            .Select(t => t.Id)];
    }

    /// <summary>Waits until every task has finished, and returns each as the server tells it.</summary>
    public static async Task<Dictionary<string, JsonElement>> WaitAllFinishedAsync(AgentHttp api, IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
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
        }, n => n == ids.Count, timeout, $"all {ids.Count} tasks to finish");
        return finished;
    }

    /// <summary>
    /// Every task completed, none was printed completed twice, and a completion neither agent printed was accepted from the
    /// killed one just before the kill (it had no time to print it).
    /// </summary>
    public static async Task AssertEachCompletedOnceAsync(
        IReadOnlyCollection<string> ids, Dictionary<string, JsonElement> finished, EngineProcess killed, string killedId, EngineProcess survivor)
    {
        Assert.All(finished.Values, t => Assert.Equal("completed", t.GetProperty("status").GetString()));

        // The survivor prints a completion once its answer has come back, a moment after the server stored it: wait for
        // the lines of every task it finished.
        var survivorTasks = finished.Where(t => t.Value.GetProperty("assignedTo").GetString() != killedId).Select(t => t.Key).ToList();
        await Eventually.Until(() => Task.FromResult(Events(survivor, "completed").Select(e => e.GetProperty("task").GetString()!).ToHashSet()),
            printed => survivorTasks.All(printed.Contains), TimeSpan.FromSeconds(30), "the survivor to print every completion it made");
        var completions = Events(killed, "completed").Concat(Events(survivor, "completed")).Select(e => e.GetProperty("task").GetString()!).ToList();
        Assert.Equal(completions.Count, completions.Distinct().Count());
        Assert.Subset(ids.ToHashSet(), completions.ToHashSet());
        Assert.All(ids.Except(completions), id => Assert.Equal(killedId, finished[id].GetProperty("assignedTo").GetString()));
    }
}
