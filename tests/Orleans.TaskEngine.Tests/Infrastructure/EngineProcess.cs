using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// A built program of this repository run as a real process, its output kept for assertions and failures. It can be
/// killed (SIGKILL, as in a crash) or stopped (SIGTERM, as an operator does); disposing kills it if it still runs.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private EngineProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public static EngineProcess Start(string project, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartNamed(project, project, environment, args);

    /// <summary>As <see cref="Start"/>, in <paramref name="workingDirectory"/> (where the default SQLite file goes).</summary>
    public static EngineProcess StartIn(string workingDirectory, string project, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartNamed(project, project, environment, args, workingDirectory);

    /// <summary>Starts <paramref name="project"/> under a name for failure messages (e.g. which silo).</summary>
    public static EngineProcess StartNamed(string name, string project, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartNamed(name, project, environment, args, workingDirectory: null);

    private static EngineProcess StartNamed(string name, string project, IReadOnlyDictionary<string, string> environment, string[] args, string? workingDirectory)
    {
        var folder = RepositoryPaths.ProjectOutput(project);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, project + ".dll"), .. args])
        {
            WorkingDirectory = workingDirectory ?? folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Hermetic: only the engine settings this test gives, whatever the shell running the tests has set.
        foreach (var key in start.Environment.Keys.Where(IsEngineSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new EngineProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {project}"), name);
        process._process.OutputDataReceived += (_, e) => process.Add(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Add(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Any program (e.g. a Python agent), its output collected like an engine process's.</summary>
    public static EngineProcess StartProgram(
        string name, string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new EngineProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}"), name);
        process._process.OutputDataReceived += (_, e) => process.Add(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Add(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The built API host in embedded mode on free ports; returns once it serves, with its base URL. On the in-memory
    /// store unless the settings name one or a working directory is given: there, with no setting, it runs as a user's
    /// first start does, on the default SQLite file under that directory.
    /// </summary>
    public static async Task<(EngineProcess Host, Uri BaseUrl)> StartEmbeddedApiAsync(IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["TaskEngine__Cluster__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TaskEngine__Cluster__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (workingDirectory is null)
        {
            environment["TaskEngine__Storage"] = "Memory";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var host = StartNamed("Orleans.TaskEngine.Api", "Orleans.TaskEngine.Api", environment, ["--urls", $"http://127.0.0.1:{port}"], workingDirectory);
        await host.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        return (host, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Waits until a line containing <paramref name="text"/> is printed; fails with the output so far.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        await Eventually.Until(() => Task.FromResult(Printed(text) || _process.HasExited), done => done, timeout, $"'{text}' in the output");
        if (!Printed(text) && _process.HasExited)
        {
            // Exited: its last lines may still be in the pipe; this returns once the output is drained.
            await _process.WaitForExitAsync();
        }

        if (!Printed(text))
        {
            throw new InvalidOperationException($"The process exited before printing '{text}':\n{string.Join('\n', Output.TakeLast(40))}");
        }
    }

    /// <summary>kill -9: no shutdown of any kind, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>SIGTERM (the host shuts down gracefully), then SIGKILL if it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            await term!.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits for the process to exit, its output drained; fails with its last lines past the timeout.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}.\n{Tail()}");
        }
    }

    public int ProcessId => _process.Id;

    /// <summary>The last lines of its output, for failure messages.</summary>
    public string Tail(int lines = 40) => $"--- {Name}, last {lines} lines:\n" + string.Join('\n', Output.TakeLast(lines));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static bool IsEngineSetting(string key) =>
        key.StartsWith("TaskEngine__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);

    private bool Printed(string text) => Output.Any(l => l.Contains(text, StringComparison.Ordinal));

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }
}
