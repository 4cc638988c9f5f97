using System.Net;
using System.Text.Json;
using Orleans.TaskEngine.Http;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// Checks the audit log against the tasks as their grains tell them: every event of every task is in the log once, in
/// order (sequences 1..n with none missing or repeated), with the status and message the grain recorded.
/// </summary>
public static class AuditLogCheck
{
    public static async Task AssertEveryEventLoggedOnceAsync(HttpClient http, IReadOnlyCollection<TaskResource> tasks)
    {
        using var gate = new SemaphoreSlim(32);
        var problems = await Task.WhenAll(tasks.Select(async task =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await http.GetAsync($"api/tasks/{task.Id}/history");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return $"{task.Id}: history answered {(int)response.StatusCode}";
                }

                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var logged = document.RootElement.GetProperty("events").EnumerateArray()
                    .Select(e => (Sequence: e.GetProperty("sequence").GetInt64(), Status: e.GetProperty("status").GetString(), Message: e.TryGetProperty("message", out var m) ? m.GetString() : null))
                    .ToList();
                if (!logged.Select(e => e.Sequence).SequenceEqual(Enumerable.Range(1, logged.Count).Select(i => (long)i)))
                {
                    return $"{task.Id}: logged sequences {string.Join(",", logged.Select(e => e.Sequence))}";
                }

                foreach (var e in task.History)
                {
                    if (e.Sequence > logged.Count || logged[(int)e.Sequence - 1] is var l && (l.Status != e.Status.ToString().ToLowerInvariant() || l.Message != e.Message))
                    {
                        return $"{task.Id}: event {e.Sequence} ({e.Status}, {e.Message}) is not in the log as the task has it";
                    }
                }

                return null;
            }
            finally
            {
                gate.Release();
            }
        }));

        var found = problems.OfType<string>().ToList();
        Assert.True(found.Count == 0, $"{found.Count} of {tasks.Count} tasks' logs differ from their grains', e.g.: {string.Join("; ", found.Take(3))}");
    }
}
