using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.History;

public sealed class TaskStatsCalculatorTests
{
    private static readonly DateTimeOffset From = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddMinutes(5);

    private static TaskSummary Finished(string id, string type, TaskState status, double waitMs, double runMs, double finishedMinute, string queue = "q") =>
        new()
        {
            Id = id,
            Type = type,
            Queue = queue,
            Status = status,
            CreatedAt = From.AddMinutes(finishedMinute).AddMilliseconds(-(waitMs + runMs)),
            StartedAt = From.AddMinutes(finishedMinute).AddMilliseconds(-runMs),
            FinishedAt = From.AddMinutes(finishedMinute),
        };

    private static AuditEvent Failure(string type, string kind, string message, TaskState status, double minute) => new()
    {
        TaskId = "f",
        Type = type,
        Queue = "q",
        Event = new TaskEvent { ErrorKind = kind, Message = message, Status = status, At = From.AddMinutes(minute) },
    };

    [Fact]
    public void A_known_workload_gives_its_counts_per_minute_percentiles_and_top_errors()
    {
        var finished = new List<TaskSummary>();
        for (var i = 0; i < 100; i++)
        {
            finished.Add(Finished($"e{i}", "echo", TaskState.Completed, waitMs: i + 1, runMs: 10 * (i + 1), finishedMinute: i < 60 ? 0.5 : 3.5));
        }

        finished.Add(Finished("h1", "http", TaskState.Failed, 5, 50, 1.5));
        finished.Add(Finished("h2", "http", TaskState.Cancelled, 5, 50, 1.5));
        finished.Add(Finished("old", "echo", TaskState.Completed, 5, 5, -1)); // before the window
        var failures = new List<AuditEvent>
        {
            Failure("http", TaskErrorKinds.Timeout, "ran past its timeout", TaskState.Scheduled, 1),
            Failure("http", TaskErrorKinds.Error, "HttpRequestException: refused", TaskState.Scheduled, 1.2),
            Failure("http", TaskErrorKinds.Error, "HttpRequestException: refused", TaskState.Failed, 1.4),
            Failure("http", TaskErrorKinds.Error, "outside", TaskState.Failed, 9),
        };

        var stats = TaskStatsCalculator.Compute(new TaskStatsInput { Finished = finished, Failures = failures }, "5m", "type", From, To);

        Assert.Equal(["echo", "http"], stats.Groups.Select(g => g.Key));
        var echo = stats.Groups[0];
        Assert.Equal(new TaskStatsCounts { Completed = 100 }, echo.Counts);
        Assert.Equal([60, 0, 0, 40, 0], echo.PerMinute);
        Assert.Equal(50, echo.WaitMs.P50);
        Assert.Equal(95, echo.WaitMs.P95);
        Assert.Equal(99, echo.WaitMs.P99);
        Assert.Equal(500, echo.RunMs.P50);
        Assert.Equal(990, echo.RunMs.P99);
        Assert.Empty(echo.TopErrors);

        var http = stats.Groups[1];
        Assert.Equal(new TaskStatsCounts { Failed = 1, Cancelled = 1, TimedOut = 1, Retried = 2 }, http.Counts);
        Assert.Equal("HttpRequestException: refused", http.TopErrors[0].Message);
        Assert.Equal(2, http.TopErrors[0].Count);
        Assert.Equal(2, http.TopErrors.Count);
    }

    [Fact]
    public void By_queue_groups_by_queue_and_an_empty_window_has_no_groups()
    {
        var finished = new[] { Finished("a", "echo", TaskState.Completed, 1, 1, 1, queue: "q1"), Finished("b", "http", TaskState.Completed, 1, 1, 1, queue: "q1") };
        var stats = TaskStatsCalculator.Compute(new TaskStatsInput { Finished = finished }, "5m", "queue", From, To);
        Assert.Equal("q1", Assert.Single(stats.Groups).Key);
        Assert.Equal(2, stats.Groups[0].Counts.Completed);
        Assert.Empty(TaskStatsCalculator.Compute(new TaskStatsInput(), "5m", "type", From, To).Groups);
    }
}
