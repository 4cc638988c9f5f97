using System.Net;
using Orleans.TaskEngine.Client;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// A durable cluster of real processes on its own database: <c>init-db</c>, silo processes and the API host in Client
/// mode, started the way the README says, with the <c>Testing</c> environment's short failure detection. Every
/// process is killed on dispose.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string SiloProject = "Orleans.TaskEngine.Silo";
    public const int WorkersPerSilo = 2;
    public const int ConcurrencyPerWorker = 10;
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private readonly List<EngineProcess> _processes = [];
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _apiPort;
    private bool _initializeOnStart;
    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();
    private HttpClient? _apiHttp;

    private ProcessCluster(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public List<SiloProcess> Silos { get; } = [];

    public EngineProcess? ApiProcess { get; private set; }

    public TaskEngineHttpClient Api { get; private set; } = null!;

    /// <summary>The HTTP client of the API host, for calls the typed client does not have.</summary>
    public HttpClient ApiHttp => _apiHttp ?? throw new InvalidOperationException("The API host is not started.");

    /// <summary>
    /// Creates the cluster's database and applies the schema with the silo's own <c>init-db</c> command, or, with
    /// <paramref name="initializeOnStart"/>, leaves it empty for the silos to apply at start. <paramref name="settings"/>
    /// (environment variables, e.g. <c>TaskEngine__Agents__LeaseSeconds</c>) are given to every silo and API process.
    /// </summary>
    public static async Task<ProcessCluster> CreateAsync(PostgresFixture postgres, string name, bool initializeOnStart = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        var cluster = new ProcessCluster(name, await postgres.CreateDatabaseAsync(name))
        {
            _initializeOnStart = initializeOnStart,
            _settings = settings ?? new Dictionary<string, string>(),
        };
        if (initializeOnStart)
        {
            return cluster;
        }

        var init = cluster.Track(EngineProcess.StartNamed("init-db", SiloProject,
            new Dictionary<string, string> { ["ConnectionStrings__TaskEngine"] = cluster.ConnectionString }, "init-db"));
        using var deadline = new CancellationTokenSource(StartDeadline);
        await init.WaitForExitAsync(deadline.Token);
        Assert.True(init.ExitCode == 0, "init-db failed\n" + init.Tail());
        Assert.Contains("schema created", init.Tail(), StringComparison.Ordinal);
        return cluster;
    }

    /// <summary>Creates the cluster's database, then starts <paramref name="silos"/> silos and the API host.</summary>
    public static async Task<ProcessCluster> StartAsync(PostgresFixture postgres, string name, int silos, bool initializeOnStart = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        var cluster = await CreateAsync(postgres, name, initializeOnStart, settings);
        try
        {
            await cluster.StartAllAsync(silos);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="silos"/> silos, then the API host once they are members.</summary>
    public async Task StartAllAsync(int silos)
    {
        for (var i = 0; i < silos; i++)
        {
            await StartSiloAsync();
        }

        await StartApiAsync();
    }

    /// <summary>Runs a test body; an error that is not an assertion comes back with the tail of every process's log.</summary>
    public async Task ExplainFailuresAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + Logs(), ex);
        }
    }

    /// <summary>Starts a silo (on new free ports unless given) and waits until its /health says it is an active member.</summary>
    public async Task<SiloProcess> StartSiloAsync(SiloPorts? ports = null)
    {
        ports ??= SiloPorts.Free();
        var environment = ClusterEnvironment();
        environment["TaskEngine__Cluster__SiloPort"] = ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TaskEngine__Cluster__GatewayPort"] = ports.Gateway.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TaskEngine__Database__InitializeOnStart"] = _initializeOnStart ? "true" : "false";
        environment["TaskEngine__Workers__Pools__0__Name"] = "default";
        environment["TaskEngine__Workers__Pools__0__Count"] = WorkersPerSilo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TaskEngine__Workers__Pools__0__Concurrency"] = ConcurrencyPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Track(EngineProcess.StartNamed($"silo :{ports.Silo} (#{_processes.Count})", SiloProject, environment, "--urls", $"http://127.0.0.1:{ports.Http}"));
        await WaitHealthyAsync(process, $"http://127.0.0.1:{ports.Http}/health");
        var silo = new SiloProcess(process, ports);
        Silos.Add(silo);
        return silo;
    }

    /// <summary>Starts the API host in Client mode (same HTTP port as before on a restart) and waits until it is ready.</summary>
    public async Task StartApiAsync()
    {
        if (_apiPort == 0)
        {
            _apiPort = EngineProcess.FreePort();
        }

        var environment = ClusterEnvironment();
        environment["TaskEngine__Api__Mode"] = "Client";
        environment["TaskEngine__Cluster__Gateway__GatewayListRefreshPeriod"] = "00:00:02";
        ApiProcess = Track(EngineProcess.StartNamed($"api (#{_processes.Count})", "Orleans.TaskEngine.Api", environment, "--urls", $"http://127.0.0.1:{_apiPort}"));
        await WaitHealthyAsync(ApiProcess, $"http://127.0.0.1:{_apiPort}/health/ready");
        _apiHttp ??= new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPort}/"), Timeout = TimeSpan.FromSeconds(90) };
        Api = new TaskEngineHttpClient(_apiHttp);
    }

    /// <summary>SIGTERM to every process at once, as an operator stopping the whole deployment.</summary>
    public async Task StopAllAsync()
    {
        var stopping = Silos.Select(s => s.Process.StopAsync(TimeSpan.FromSeconds(30))).ToList();
        if (ApiProcess is not null)
        {
            stopping.Add(ApiProcess.StopAsync(TimeSpan.FromSeconds(30)));
        }

        await Task.WhenAll(stopping);
        Silos.Clear();
    }

    /// <summary>
    /// Waits until the membership table marks <paramref name="silo"/> dead (status 6): until then a call routed to a
    /// grain it held fails (the API answers 503), as it would for any client during a silo's failure.
    /// </summary>
    public Task WaitUntilDeclaredDeadAsync(SiloProcess silo, TimeSpan timeout) =>
        Eventually.Until(
            async () =>
            {
                await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand($"SELECT count(*)::int FROM orleans_membership WHERE status = 6 AND port = {silo.Ports.Silo}", connection);
                return (int)(await command.ExecuteScalarAsync())!;
            },
            dead => dead > 0, timeout, $"silo :{silo.Ports.Silo} declared dead");

    /// <summary>Where every process's whole output is written when the cluster is disposed.</summary>
    public string LogDirectory => Path.Combine(Path.GetTempPath(), "taskengine-test-processes", Name);

    /// <summary>Every log's tail, for a failure message, and where the whole logs will be.</summary>
    public string Logs() => $"(whole logs in {LogDirectory})\n" + string.Join("\n", _processes.Where(p => p.Name != "init-db").Select(p => p.Tail(25)));

    public async ValueTask DisposeAsync()
    {
        Directory.CreateDirectory(LogDirectory);
        for (var i = 0; i < _processes.Count; i++)
        {
            var process = _processes[i];
            await process.DisposeAsync();
            var file = string.Concat($"{i:D2}-{process.Name}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' ? c : '_'));
            await File.WriteAllLinesAsync(Path.Combine(LogDirectory, file + ".log"), process.Output);
        }

        _apiHttp?.Dispose();
        _probe.Dispose();
    }

    private Dictionary<string, string> ClusterEnvironment()
    {
        var environment = BaseEnvironment();
        foreach (var (key, value) in _settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    private Dictionary<string, string> BaseEnvironment() => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Testing",
        ["TaskEngine__Storage"] = "Postgres",
        ["ConnectionStrings__TaskEngine"] = ConnectionString,
        ["TaskEngine__Cluster__ClusterId"] = Name,
        ["TaskEngine__Cluster__ServiceId"] = Name,

        // Timestamps and the engine's own debug lines (one per submitted and finished task), to read a failure from the logs.
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__LogLevel__Orleans.TaskEngine"] = "Debug",
    };

    private EngineProcess Track(EngineProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private async Task WaitHealthyAsync(EngineProcess process, string url)
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode} while starting\n{process.Tail()}");
            }

            try
            {
                using var response = await _probe.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{process.Name} was not healthy at {url} within {StartDeadline}\n{process.Tail()}");
    }
}
