using System.Globalization;

namespace Hangfire.Comparison;

/// <summary>The command line of the Hangfire comparison tool.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Hangfire's own default worker count (BackgroundJobServerOptions.WorkerCount).</summary>
    public static readonly int DefaultWorkers = Math.Min(Environment.ProcessorCount * 5, 20);

    public const string Usage = """
        Hangfire.Comparison: runs no-op Hangfire jobs the way bench/Orleans.TaskEngine.Bench runs no-op tasks,
        and prints one JSON line of figures.

        dotnet bench/Hangfire.Comparison/bin/Release/net10.0/Hangfire.Comparison.dll [options]

          --storage memory|postgres   Hangfire.InMemory, or Hangfire.PostgreSql (default memory)
          --connection <string>       Npgsql connection string (postgres; the schema is created if missing)
          --jobs N                    jobs to enqueue and time (default 3000)
          --concurrency C             parallel enqueuers (default 64)
          --workers W                 BackgroundJobServer workers (default Hangfire's: min(cores * 5, 20))
          --warmup N                  untimed jobs run (and waited for) first (default 200)
          --help                      this text
        """;

    public string Storage { get; init; } = "memory";
    public string? Connection { get; init; }
    public int Jobs { get; init; } = 3000;
    public int Concurrency { get; init; } = 64;
    public int Workers { get; init; } = DefaultWorkers;
    public int Warmup { get; init; } = 200;

    /// <returns>The options, or null when help was asked for.</returns>
    public static ComparisonOptions? Parse(string[] args)
    {
        var options = new ComparisonOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextCount() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--help" or "-h" => null,
                "--storage" => options with { Storage = Next() },
                "--connection" => options with { Connection = Next() },
                "--jobs" => options with { Jobs = NextCount() },
                "--concurrency" => options with { Concurrency = NextCount() },
                "--workers" => options with { Workers = NextCount() },
                "--warmup" => options with { Warmup = NextCount() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            if (options is null)
            {
                return null;
            }
        }

        if (options.Storage is not ("memory" or "postgres") || (options.Storage == "postgres" && options.Connection is null))
        {
            throw new ArgumentException("--storage must be memory, or postgres with --connection");
        }

        if (options.Jobs < 1 || options.Concurrency < 1 || options.Workers < 1 || options.Warmup < 0)
        {
            throw new ArgumentException("--jobs, --concurrency and --workers must be at least 1, --warmup at least 0");
        }

        return options;
    }
}
