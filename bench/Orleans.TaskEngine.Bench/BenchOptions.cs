using System.Globalization;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>The command line of the load tool.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Orleans.TaskEngine.Bench: drives a running engine and prints one JSON line of figures per run.

        dotnet run --project bench/Orleans.TaskEngine.Bench -c Release -- [options]

          --target embedded|agents|<base URL>
                                         embedded: an in-process silo driven through the Orleans client (default);
                                         agents: the API host in process (embedded engine) on a loopback port, with
                                         --agents HTTP agents serving the tasks, submits over HTTP;
                                         a URL: the REST API at that address
          --agents N                     agents target: agents started in process (default 4)
          --agent-concurrency C          agents target: tasks each agent runs at once (default 16)
          --tasks N                      tasks to submit (default 10000)
          --concurrency C                submits in flight at once (default 64)
          --rate R                       pace submits at R tasks/s (default: flat out)
          --handler echo|delay:<ms>      the task each submit runs (default echo, a no-op)
          --payload-bytes B              payload size in bytes (default 16)
          --priority-mix normal|mixed    all normal, or an even mix of low/normal/high/urgent (default normal)
          --warmup N                     tasks run (and waited for) before measuring, so JIT and first activations
                                         do not count (default 500)
          --preload N                    queue N tasks behind a busy worker first (queue-length test; default 0)
          --storage memory|sqlite|postgres  embedded target's storage (default memory)
          --connection <string>          PostgreSQL connection string (embedded + postgres; the tool creates the schema),
                                         or with sqlite "Data Source=PATH" (default: a new file in the temp folder)
          --sqlite-sync full|normal      SQLite's synchronous mode (default full)
          --api-key <key>                bearer key for a REST target
          --history-search               no engine: seed the audit log's summaries on PostgreSQL (--connection) with
                                         --tasks incarnations and time --concurrency search pages per kind of filter
          --history on|off               the audit log (TaskEngine:History:Enabled) of a hosted engine (default on)
          --probe                        no tasks: measure plain Orleans in the embedded silo instead, --tasks times
                                         each (after --warmup times each): new activations with a stored state, new
                                         activations without, and calls to active grains
          --help                         this text
        """;

    public string Target { get; init; } = "embedded";
    public int Tasks { get; init; } = 10_000;
    public int Concurrency { get; init; } = 64;
    public double? Rate { get; init; }
    public string Handler { get; init; } = "echo";
    public int PayloadBytes { get; init; } = 16;
    public string PriorityMix { get; init; } = "normal";
    public int Preload { get; init; }
    public int Warmup { get; init; } = 500;
    public string Storage { get; init; } = "memory";
    public string? Connection { get; init; }

    public string SqliteSync { get; init; } = "full";
    public string? ApiKey { get; init; }
    public bool Probe { get; init; }
    public bool History { get; init; } = true;
    public bool HistorySearch { get; init; }
    public int Agents { get; init; } = 4;
    public int AgentConcurrency { get; init; } = 16;

    public bool IsEmbedded => Target == "embedded";

    public bool IsAgents => Target == "agents";

    /// <summary>TaskEngine:Storage for a hosted engine.</summary>
    public string StorageSetting => Storage switch { "postgres" => "Postgres", "sqlite" => "Sqlite", _ => "Memory" };

    /// <summary>The connection string a hosted engine gets (with SQLite and none given, Parse names a new file).</summary>
    public string? EffectiveConnection => Connection;

    /// <summary>The engine runs in this process (embedded, or behind the agents target's API host): its storage is ours to say.</summary>
    public bool HostsEngine => IsEmbedded || IsAgents;

    /// <summary>The agents target runs every task on an agent: its one type takes an optional delay in the payload.</summary>
    public string TaskType => IsAgents ? AgentsTarget.TaskType : Handler.StartsWith("delay:", StringComparison.Ordinal) ? "delay" : "echo";

    /// <summary>What a warm-up task runs: the path being measured.</summary>
    public string WarmupTaskType => IsAgents ? AgentsTarget.TaskType : "echo";

    public int DelayMs => Handler.StartsWith("delay:", StringComparison.Ordinal) ? int.Parse(Handler[6..], CultureInfo.InvariantCulture) : 0;

    public TaskPriority PriorityFor(int index) =>
        PriorityMix == "mixed" ? (TaskPriority)(index % 4) : TaskPriority.Normal;

    /// <returns>The options, or null after printing help or an error.</returns>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--help" or "-h" => null,
                "--target" => options with { Target = Next() },
                "--tasks" => options with { Tasks = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rate" => options with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--handler" => options with { Handler = Next() },
                "--payload-bytes" => options with { PayloadBytes = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--priority-mix" => options with { PriorityMix = Next() },
                "--preload" => options with { Preload = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => options with { Warmup = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--storage" => options with { Storage = Next() },
                "--connection" => options with { Connection = Next() },
                "--sqlite-sync" => options with { SqliteSync = Next() },
                "--api-key" => options with { ApiKey = Next() },
                "--probe" => options with { Probe = true },
                "--history-search" => options with { HistorySearch = true },
                "--history" => options with { History = Next() switch { "on" => true, "off" => false, var v => throw new ArgumentException($"--history must be on or off, not {v}") } },
                "--agents" => options with { Agents = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--agent-concurrency" => options with { AgentConcurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            if (options is null)
            {
                return null;
            }
        }

        if (options.Handler != "echo" && !options.Handler.StartsWith("delay:", StringComparison.Ordinal))
        {
            throw new ArgumentException("--handler must be echo or delay:<ms>");
        }

        if (options.Storage is not ("memory" or "sqlite" or "postgres") || (options.Storage == "postgres" && options.Connection is null))
        {
            throw new ArgumentException("--storage must be memory, sqlite, or postgres with --connection");
        }

        if (options.SqliteSync is not ("full" or "normal"))
        {
            throw new ArgumentException("--sqlite-sync must be full or normal");
        }

        if (options.IsAgents && (options.Agents < 1 || options.AgentConcurrency < 1 || options.Preload > 0 || options.Probe))
        {
            throw new ArgumentException("--target agents needs --agents and --agent-concurrency of at least 1, and takes no --preload or --probe");
        }

        if (options.Storage == "sqlite" && options.Connection is null)
        {
            options = options with { Connection = "Data Source=" + Path.Combine(Path.GetTempPath(), $"taskengine-bench-{Guid.NewGuid():N}.db") };
        }

        return options;
    }
}
