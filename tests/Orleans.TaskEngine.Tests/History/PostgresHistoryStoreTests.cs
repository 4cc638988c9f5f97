using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.History;

/// <summary>
/// The audit log on PostgreSQL: written by <see cref="PostgresGrainStorage"/> in the statement that stores a task's state,
/// read and purged by <see cref="PostgresTaskHistory"/>. States are written as the task grain writes them (its
/// <see cref="TaskGrainState.AuditedThrough"/> the last event of the state stored before). Each test has a service id
/// of its own, so the tests share the tables without seeing each other's rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHistoryStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string StateName = TaskAuditProjection.StateName;

    // PostgreSQL keeps microseconds: times with none finer, so what is read back equals what was written.
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private readonly string _serviceId = "history-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<PostgresGrainStorage> _storages = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_write_stores_the_summary_and_the_events_since_the_state_stored_before()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var task = new GrainTask("t-write", T0, type: "echo", queue: "q1", tags: ["a", "b"], createdBy: "alice");

        await task.SubmitAsync(storage);
        await task.StartAsync(storage, worker: "w1", silo: "s1");
        await task.ProgressAsync(storage, 0.5, "half");
        await task.FailAsync(storage, "handler", "boom");

        var record = await history.LoadAsync("t-write", createdAt: null);
        Assert.NotNull(record);
        Assert.Equal([1, 2, 3, 4], record.Events.Select(e => e.Sequence));
        Assert.Equal(task.State.History, record.Events);
        var summary = record.Summary;
        Assert.Equal("t-write", summary.Id);
        Assert.Equal(T0, summary.CreatedAt);
        Assert.Equal("echo", summary.Type);
        Assert.Equal("q1", summary.Queue);
        Assert.Equal(TaskPriority.High, summary.Priority);
        Assert.Equal(TaskState.Failed, summary.Status);
        Assert.Equal(1, summary.Attempts);
        Assert.Equal("alice", summary.CreatedBy);
        Assert.Equal(task.State.StartedAt, summary.StartedAt);
        Assert.Equal(task.State.FinishedAt, summary.FinishedAt);
        Assert.Equal(["a", "b"], summary.Tags);
        Assert.Equal("handler", summary.LastErrorKind);
        Assert.Equal("boom", summary.LastErrorMessage);
        var listed = Assert.Single((await history.SearchAsync(new TaskSearchQuery())).Items);
        Assert.Equal(summary with { Tags = [] }, listed with { Tags = [] });
        Assert.Equal(summary.Tags, listed.Tags);
    }

    [Fact]
    public async Task A_state_that_is_no_task_or_has_no_submission_adds_nothing()
    {
        var storage = NewStorage();
        await storage.WriteStateAsync(StateName, TaskGrain("t-empty"), new GrainState<TaskGrainState> { State = new TaskGrainState { Attempts = 1 } });
        var other = new GrainTask("t-other", T0);
        other.Apply(TaskState.Pending, actor: "alice");
        await storage.WriteStateAsync("other-state", TaskGrain("t-other"), new GrainState<TaskGrainState> { State = other.State });

        var history = NewHistory();
        Assert.Null(await history.LoadAsync("t-empty", null));
        Assert.Null(await history.LoadAsync("t-other", null));
        Assert.Empty((await history.SearchAsync(new TaskSearchQuery())).Items);
    }

    [Fact]
    public async Task A_write_refused_by_a_version_conflict_adds_no_event_and_leaves_the_summary()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var task = new GrainTask("t-refused", T0);
        await task.SubmitAsync(storage);

        // A second insert (no ETag: the grain thinks there is no row), and a write at a version that is not stored.
        var twin = new GrainTask("t-refused", T0);
        twin.Apply(TaskState.Pending, actor: "alice");
        twin.Apply(TaskState.Running);
        await Assert.ThrowsAsync<InconsistentStateException>(() => twin.WriteAsync(storage));
        var stale = new GrainTask("t-refused", T0) { ETag = "7" };
        stale.Apply(TaskState.Pending, actor: "alice");
        stale.Apply(TaskState.Cancelled, actor: "bob");
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.WriteAsync(storage));

        var record = await history.LoadAsync("t-refused", null);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Pending, record.Summary.Status);
        Assert.Equal([1L], record.Events.Select(e => e.Sequence));
        Assert.Equal("alice", record.Events[0].Actor);
    }

    [Fact]
    public async Task In_one_batch_only_the_writes_that_succeed_add_their_events()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var tasks = Enumerable.Range(0, 40).Select(i => new GrainTask($"t-batch-{i:D2}", T0.AddSeconds(i))).ToArray();
        await Task.WhenAll(tasks.Select(t => t.SubmitAsync(storage)));

        // Every third with a stale ETag; all given together, so they share flushes.
        var writes = tasks.Select((t, i) =>
        {
            if (i % 3 == 0)
            {
                t.ETag = "99";
            }

            t.Apply(TaskState.Running, worker: "w");
            return t.WriteAsync(storage);
        }).ToArray();
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        for (var i = 0; i < tasks.Length; i++)
        {
            var refused = i % 3 == 0;
            Assert.Equal(refused, writes[i].IsFaulted);
            var record = await history.LoadAsync(tasks[i].Id, null);
            Assert.NotNull(record);
            Assert.Equal(refused ? TaskState.Pending : TaskState.Running, record.Summary.Status);
            Assert.Equal(refused ? 1 : 2, record.Events.Count);
        }
    }

    [Fact]
    public async Task A_write_repeated_with_events_already_in_the_log_adds_no_duplicates()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var task = new GrainTask("t-repeat", T0);
        task.Apply(TaskState.Pending, actor: "alice");
        task.Apply(TaskState.Running, worker: "w1");
        await task.WriteAsync(storage);

        // As after a write whose outcome the grain did not learn: the next one carries the same events again.
        task.State.AuditedThrough = 0;
        task.Apply(TaskState.Completed);
        await task.WriteAsync(storage, keepAuditedThrough: true);

        var record = await history.LoadAsync("t-repeat", null);
        Assert.NotNull(record);
        Assert.Equal([1L, 2L, 3L], record.Events.Select(e => e.Sequence));
        Assert.Equal(TaskState.Completed, record.Summary.Status);
        Assert.Equal(3L, await postgres.ScalarAsync<long>($"SELECT coalesce(sum(array_length(string_to_array(rtrim(events, chr(10)), chr(10)), 1)), 0)::bigint FROM taskengine_task_summaries WHERE service_id = '{_serviceId}'"));
    }

    [Fact]
    public async Task A_task_id_that_comes_back_is_a_new_incarnation_and_both_can_be_loaded()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var first = new GrainTask("t-again", T0);
        await first.SubmitAsync(storage);
        first.Apply(TaskState.Completed);
        await first.WriteAsync(storage);
        await storage.ClearStateAsync(StateName, TaskGrain("t-again"), new GrainState<TaskGrainState> { ETag = first.ETag });

        var second = new GrainTask("t-again", T0.AddHours(1), type: "other");
        await second.SubmitAsync(storage);

        var newest = await history.LoadAsync("t-again", null);
        Assert.NotNull(newest);
        Assert.Equal(T0.AddHours(1), newest.Summary.CreatedAt);
        Assert.Equal("other", newest.Summary.Type);
        Assert.Equal([1L], newest.Events.Select(e => e.Sequence));
        var older = await history.LoadAsync("t-again", T0);
        Assert.NotNull(older);
        Assert.Equal(TaskState.Completed, older.Summary.Status);
        Assert.Equal([1L, 2L], older.Events.Select(e => e.Sequence));
        Assert.Null(await history.LoadAsync("t-again", T0.AddMinutes(1)));
        Assert.Null(await history.LoadAsync("t-missing", null));
        Assert.Equal(2, (await history.SearchAsync(new TaskSearchQuery())).Items.Count);
    }

    [Fact]
    public async Task A_creation_time_finer_than_a_microsecond_is_kept_to_the_microsecond_and_still_loads()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var created = T0.AddTicks(12_345_678); // 1.2345678 s: 100 ns finer than PostgreSQL keeps
        var task = new GrainTask("t-ticks", created);
        await task.SubmitAsync(storage);

        var record = await history.LoadAsync("t-ticks", created);
        Assert.NotNull(record);
        Assert.Equal(T0.AddTicks(12_345_670), record.Summary.CreatedAt);
        Assert.NotNull(await history.LoadAsync("t-ticks", record.Summary.CreatedAt));
    }

    [Fact]
    public async Task Search_filters_combine_and_pages_walk_newest_first_without_repeats()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var statuses = new[] { TaskState.Pending, TaskState.Running, TaskState.Completed, TaskState.Failed };

        // 90 tasks; every three share a creation time, so ties are ordered by id.
        var tasks = Enumerable.Range(0, 90).Select(i => new GrainTask(
            $"t-{(i * 37) % 90:D2}", T0.AddSeconds(i / 3), type: i % 2 == 0 ? "even" : "odd", queue: $"q{i % 3}",
            tags: i % 5 == 0 ? ["five", "all"] : ["all"], createdBy: i % 4 == 0 ? null : $"user{i % 4}")).ToArray();
        await Task.WhenAll(tasks.Select(t => t.SubmitAsync(storage)));
        await Task.WhenAll(tasks.Select((t, i) =>
        {
            var status = statuses[i % 4];
            if (status == TaskState.Pending)
            {
                return Task.CompletedTask;
            }

            t.Apply(TaskState.Running, worker: "w");
            if (status != TaskState.Running)
            {
                t.Apply(status);
            }

            return t.WriteAsync(storage);
        }));

        TaskSearchQuery[] queries =
        [
            new(),
            new() { Status = TaskState.Running },
            new() { Status = TaskState.Completed, Type = "even" },
            new() { Type = "odd" },
            new() { Queue = "q1" },
            new() { Tag = "five" },
            new() { Tag = "none" },
            new() { CreatedBy = "user2" },
            new() { From = T0.AddSeconds(5), To = T0.AddSeconds(20) },
            new() { Queue = "q2", Tag = "all", From = T0.AddSeconds(3) },
        ];
        foreach (var query in queries)
        {
            var expected = tasks
                .Where(t => (query.Status is null || t.State.Status == query.Status)
                    && (query.Type is null || t.State.Submission!.Type == query.Type)
                    && (query.Queue is null || t.State.Submission!.Queue == query.Queue)
                    && (query.CreatedBy is null || t.State.Submission!.CreatedBy == query.CreatedBy)
                    && (query.Tag is null || t.State.Submission!.Tags.Contains(query.Tag))
                    && (query.From is null || t.State.CreatedAt >= query.From)
                    && (query.To is null || t.State.CreatedAt < query.To))
                .OrderByDescending(t => t.State.CreatedAt)
                .ThenByDescending(t => t.Id, StringComparer.Ordinal)
                .Select(t => t.Id)
                .ToList();

            // Pages of 7: every page but the last full and with a cursor, together the expected list in order.
            var seen = new List<string>();
            TaskSearchCursor? after = null;
            var pages = 0;
            do
            {
                var page = await history.SearchAsync(query with { Limit = 7, After = after });
                pages++;
                seen.AddRange(page.Items.Select(s => s.Id));
                Assert.True(page.Next is null || page.Items.Count == 7);
                after = page.Next;
            }
            while (after is not null);

            Assert.Equal(expected, seen);
            Assert.Equal(Math.Max(1, (expected.Count + 6) / 7), pages);
        }
    }

    [Fact]
    public async Task Paging_while_tasks_are_added_repeats_none_and_misses_none_that_were_there()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var existing = Enumerable.Range(0, 200).Select(i => new GrainTask($"old-{i:D3}", T0.AddMilliseconds(i))).ToArray();
        await Task.WhenAll(existing.Select(t => t.SubmitAsync(storage)));

        // New tasks keep arriving, created now (newer than every page's cursor) and inside the range being paged.
        using var stop = new CancellationTokenSource();
        var adding = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await new GrainTask($"new-{n:D4}", T0.AddMilliseconds(n % 200).AddTicks(10 * (1 + (n % 9))), type: "echo").SubmitAsync(storage);
                await new GrainTask($"late-{n:D4}", T0.AddDays(1).AddMilliseconds(n)).SubmitAsync(storage);
                n++;
            }
        });

        var seen = new List<string>();
        TaskSearchCursor? after = null;
        do
        {
            var page = await history.SearchAsync(new TaskSearchQuery { Limit = 9, After = after });
            seen.AddRange(page.Items.Select(s => s.Id));
            after = page.Next;
            await Task.Delay(5);
        }
        while (after is not null);

        await stop.CancelAsync();
        await adding;
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(existing.Select(t => t.Id).Except(seen));
    }

    [Fact]
    public async Task Purge_takes_the_oldest_incarnations_before_the_time_with_their_events_up_to_the_limit()
    {
        var storage = NewStorage();
        var history = NewHistory();
        var tasks = Enumerable.Range(0, 10).Select(i => new GrainTask($"t-purge-{9 - i}", T0.AddMinutes(i))).ToArray();
        foreach (var task in tasks)
        {
            await task.SubmitAsync(storage);
            task.Apply(TaskState.Completed);
            await task.WriteAsync(storage);
        }

        // The oldest three: t-purge-9, -8 and -7.
        Assert.Equal(3, await history.PurgeAsync(T0.AddMinutes(5), limit: 3));
        foreach (var gone in tasks.Take(3))
        {
            Assert.Null(await history.LoadAsync(gone.Id, null));
        }

        Assert.NotNull(await history.LoadAsync("t-purge-6", null));
        Assert.Equal(2, await history.PurgeAsync(T0.AddMinutes(5), limit: 100));
        Assert.Equal(0, await history.PurgeAsync(T0.AddMinutes(5), limit: 100));
        Assert.Equal(5, (await history.SearchAsync(new TaskSearchQuery())).Items.Count);
        Assert.Equal(10L, await postgres.ScalarAsync<long>($"SELECT coalesce(sum(array_length(string_to_array(rtrim(events, chr(10)), chr(10)), 1)), 0)::bigint FROM taskengine_task_summaries WHERE service_id = '{_serviceId}'"));

        // Another service's history is not this one's to purge.
        Assert.Equal(0, await NewHistory("history-other-" + Guid.NewGuid().ToString("N")[..8]).PurgeAsync(T0.AddDays(1), 100));
        Assert.Equal(5, await history.PurgeAsync(T0.AddDays(1), 100));
        Assert.Equal(0L, await postgres.ScalarAsync<long>($"SELECT coalesce(sum(array_length(string_to_array(rtrim(events, chr(10)), chr(10)), 1)), 0)::bigint FROM taskengine_task_summaries WHERE service_id = '{_serviceId}'"));
    }

    [Fact]
    public async Task An_unreachable_database_fails_with_TaskEngineUnavailableException()
    {
        var closedPort = EngineProcess.FreePort();
        var unreachable = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = closedPort, Timeout = 5 }.ConnectionString;
        var history = NewHistory(connectionString: unreachable);

        var search = await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => history.SearchAsync(new TaskSearchQuery()));
        Assert.Contains("task history is unavailable", search.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => history.LoadAsync("t", null));
        await Assert.ThrowsAsync<TaskEngineUnavailableException>(() => history.PurgeAsync(T0, 10));
    }

    private PostgresGrainStorage NewStorage()
    {
        var storage = new PostgresGrainStorage(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = postgres.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = "history", ServiceId = _serviceId }),
            Serialization.GetRequiredService<Serializer>(),
            Serialization.GetRequiredService<IActivatorProvider>(),
            NullLogger<PostgresGrainStorage>.Instance);
        _storages.Add(storage);
        return storage;
    }

    private PostgresTaskHistory NewHistory(string? serviceId = null, string? connectionString = null) =>
        new(
            Options.Create(new TaskEngineDatabaseOptions { ConnectionString = connectionString ?? postgres.ConnectionString }),
            Options.Create(new ClusterOptions { ClusterId = "history", ServiceId = serviceId ?? _serviceId }),
            NullLogger<PostgresTaskHistory>.Instance);

    private static GrainId TaskGrain(string taskId) => GrainId.Create("task", taskId);

    /// <summary>A task's state as its grain changes and writes it: events appended, ETag and AuditedThrough carried on.</summary>
    private sealed class GrainTask
    {
        public GrainTask(string id, DateTimeOffset createdAt, string type = "echo", string queue = "default", string[]? tags = null, string? createdBy = "alice")
        {
            Id = id;
            State = new TaskGrainState
            {
                Submission = new TaskSubmission { Type = type, Queue = queue, Priority = TaskPriority.High, Tags = tags ?? [], CreatedBy = createdBy },
                CreatedAt = createdAt,
            };
        }

        public string Id { get; }

        public TaskGrainState State { get; }

        public string? ETag { get; set; }

        private DateTimeOffset Now => State.CreatedAt.AddSeconds(State.LastSequence);

        public void Apply(TaskState status, string? worker = null, string? actor = "system", string? message = null, string? errorKind = null)
        {
            State.Status = status;
            if (status == TaskState.Running)
            {
                State.Attempts++;
                State.StartedAt = Now;
            }

            if (status is TaskState.Completed or TaskState.Failed or TaskState.Cancelled)
            {
                State.FinishedAt = Now;
            }

            AddEvent(new TaskEvent
            {
                Kind = TaskEventKind.Transition, Status = status, Attempt = State.Attempts, WorkerId = worker, Silo = worker is null ? null : "silo-1",
                Actor = actor, Message = message, ErrorKind = errorKind,
            });
        }

        public async Task SubmitAsync(IGrainStorage storage)
        {
            Apply(TaskState.Pending, actor: "alice");
            await WriteAsync(storage);
        }

        public async Task StartAsync(IGrainStorage storage, string worker, string silo)
        {
            State.Status = TaskState.Running;
            State.Attempts++;
            State.StartedAt = Now;
            AddEvent(new TaskEvent { Kind = TaskEventKind.Transition, Status = TaskState.Running, Attempt = State.Attempts, WorkerId = worker, Silo = silo, Actor = "system" });
            await WriteAsync(storage);
        }

        public async Task ProgressAsync(IGrainStorage storage, double percent, string message)
        {
            AddEvent(new TaskEvent { Kind = TaskEventKind.Progress, Status = State.Status, Attempt = State.Attempts, Percent = percent, Message = message, WorkerId = "w1" });
            await WriteAsync(storage);
        }

        public async Task FailAsync(IGrainStorage storage, string kind, string message)
        {
            State.Errors = [.. State.Errors, new TaskError { Kind = kind, Message = message, Attempt = State.Attempts, At = Now }];
            Apply(TaskState.Failed, message: message, errorKind: kind);
            await WriteAsync(storage);
        }

        /// <summary>Writes the state; on success, as the grain does, what it wrote becomes what the next write's log starts after.</summary>
        public async Task WriteAsync(IGrainStorage storage, bool keepAuditedThrough = false)
        {
            var grainState = new GrainState<TaskGrainState> { State = State, ETag = ETag };
            await storage.WriteStateAsync(StateName, TaskGrain(Id), grainState);
            ETag = grainState.ETag;
            if (!keepAuditedThrough)
            {
                State.AuditedThrough = State.LastSequence;
            }
        }

        private void AddEvent(TaskEvent e)
        {
            State.LastSequence++;
            State.History = [.. State.History, e with { Sequence = State.LastSequence, At = Now }];
        }
    }
}
