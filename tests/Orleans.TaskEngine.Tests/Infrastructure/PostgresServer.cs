#nullable enable

using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 server for tests: its own data folder under the temp path, its own free loopback
/// port, trust authentication, and a database named <c>taskengine</c>. Uses the server binaries in
/// <c>/usr/lib/postgresql/15/bin</c> (override with the <c>TASKENGINE_PG_BIN</c> environment variable).
/// When the test process runs as root, initdb and the server run as the <c>postgres</c> user (they refuse root).
/// </summary>
/// <remarks>
/// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> stop and restart the same server on the same port
/// with the same data, to test recovery. <see cref="DisposeAsync"/> stops it and deletes the folder.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Where the PostgreSQL 15 server binaries are installed by Debian's postgresql-15 package.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>The database created at start.</summary>
    public const string DatabaseName = "taskengine";

    /// <summary>The superuser name given to initdb; authentication is trust, so no password.</summary>
    public const string UserName = "postgres";

    private const string ServerUser = "postgres";
    private const int MaxStartAttempts = 3;
    private const int PgCtlTimeoutSeconds = 60;

    private readonly string _binDirectory;
    private readonly bool _runAsServerUser;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _running;
    private int _disposed;

    private PostgresServer(string rootDirectory, string binDirectory, bool runAsServerUser)
    {
        RootDirectory = rootDirectory;
        DataDirectory = Path.Combine(rootDirectory, "data");
        SocketDirectory = rootDirectory;
        LogFile = Path.Combine(rootDirectory, "server.log");
        _binDirectory = binDirectory;
        _runAsServerUser = runAsServerUser;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The loopback TCP port the server listens on (kept across <see cref="StartAgainAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary>An Npgsql connection string for the <c>taskengine</c> database.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture,
            $"Host=127.0.0.1;Port={Port};Username={UserName};Database={DatabaseName};Maximum Pool Size=20");

    /// <summary>The temp folder that holds everything; deleted by <see cref="DisposeAsync"/>.</summary>
    public string RootDirectory { get; }

    /// <summary>The cluster's data folder (PGDATA).</summary>
    public string DataDirectory { get; }

    /// <summary>Where the server puts its unix socket.</summary>
    public string SocketDirectory { get; }

    /// <summary>The server's log file (pg_ctl -l).</summary>
    public string LogFile { get; }

    /// <summary>True between a successful start and a stop.</summary>
    public bool IsRunning => Volatile.Read(ref _running);

    /// <summary>
    /// Creates a temp folder, runs initdb, starts the server on a free loopback port and creates the
    /// <c>taskengine</c> database. Everything is cleaned up if a step fails.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken ct = default)
    {
        var binDirectory = Environment.GetEnvironmentVariable("TASKENGINE_PG_BIN") is { Length: > 0 } custom
            ? custom
            : DefaultBinDirectory;
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres", "psql" })
        {
            if (!File.Exists(Path.Combine(binDirectory, tool)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL test server: '{Path.Combine(binDirectory, tool)}' was not found. " +
                    "Install the PostgreSQL 15 server (Debian package postgresql-15) or set TASKENGINE_PG_BIN " +
                    "to the folder holding initdb, pg_ctl, postgres and psql.");
            }
        }

        var runAsServerUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var root = Path.Combine(Path.GetTempPath(), "taskengine-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(root, binDirectory, runAsServerUser);
        try
        {
            if (runAsServerUser)
            {
                await RunCheckedAsync("chown of the temp folder", "chown", [$"{ServerUser}:", root], root, asServerUser: false, ct)
                    .ConfigureAwait(false);
            }

            await server.InitDbAsync(ct).ConfigureAwait(false);

            for (var attempt = 1; ; attempt++)
            {
                server.Port = GetFreeLoopbackPort();
                try
                {
                    await server.PgCtlStartAsync(ct).ConfigureAwait(false);
                    break;
                }
                catch (InvalidOperationException ex) when (attempt < MaxStartAttempts
                    && ex.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
                {
                    // Another process took the port between probing and binding: try another one.
                }
            }

            await server.CreateDatabaseAsync(ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server (pg_ctl stop -m fast) and waits until it is down. Does nothing if it is not running.</summary>
    public async Task StopAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await PgCtlStopAsync("fast", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops the server abruptly (pg_ctl stop -m immediate): no checkpoint, so the next start runs crash recovery.
    /// Does nothing if it is not running.
    /// </summary>
    public async Task KillAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await PgCtlStopAsync("immediate", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts the server again after a stop, with the same data folder and port. Does nothing if it is running.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_running)
            {
                await PgCtlStartAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server if it runs and deletes the temp folder. Best effort: never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            // postmaster.pid also covers a start that was cancelled after the server came up.
            if (_running || File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                try
                {
                    await PgCtlStopAsync("fast", CancellationToken.None, force: true).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    try
                    {
                        await PgCtlStopAsync("immediate", CancellationToken.None, force: true).ConfigureAwait(false);
                    }
                    catch (InvalidOperationException)
                    {
                        // The folder is deleted below anyway; a server left behind shows in its log.
                    }
                }
            }

            DeleteRootDirectory();
        }
        finally
        {
            _lifecycle.Release();
            _lifecycle.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"PostgreSQL test server on 127.0.0.1:{Port} ({DataDirectory})");

    private async Task InitDbAsync(CancellationToken ct)
    {
        await RunCheckedAsync("initdb", Tool("initdb"),
            ["-D", DataDirectory, "-U", UserName, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            RootDirectory, _runAsServerUser, ct).ConfigureAwait(false);
    }

    private async Task PgCtlStartAsync(CancellationToken ct)
    {
        var serverOptions = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -k '{SocketDirectory}' -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off");
        var logLengthBefore = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
        var result = await RunAsync(Tool("pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", PgCtlTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
             "-o", serverOptions, "start"],
            RootDirectory, _runAsServerUser, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var log = await ReadLogSinceAsync(logLengthBefore).ConfigureAwait(false);
            throw Failure($"pg_ctl start on port {Port}", result, $"server log ({LogFile}):\n{log}");
        }

        Volatile.Write(ref _running, true);
    }

    private async Task PgCtlStopAsync(string mode, CancellationToken ct, bool force = false)
    {
        if (!_running && !force)
        {
            return;
        }

        var result = await RunAsync(Tool("pg_ctl"),
            ["-D", DataDirectory, "-m", mode, "-w", "-t", PgCtlTimeoutSeconds.ToString(CultureInfo.InvariantCulture), "stop"],
            RootDirectory, _runAsServerUser, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure($"pg_ctl stop -m {mode}", result, null);
        }

        Volatile.Write(ref _running, false);
    }

    private async Task CreateDatabaseAsync(CancellationToken ct)
    {
        // psql is a client: it may run as any user, so no runuser here.
        await RunCheckedAsync("create database " + DatabaseName, Tool("psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
             "-U", UserName, "-d", "postgres", "-c", $"CREATE DATABASE {DatabaseName}"],
            RootDirectory, asServerUser: false, ct).ConfigureAwait(false);
    }

    private string Tool(string name) => Path.Combine(_binDirectory, name);

    private async Task<string> ReadLogSinceAsync(long offset)
    {
        try
        {
            if (!File.Exists(LogFile))
            {
                return "(no log file)";
            }

            var text = await File.ReadAllTextAsync(LogFile).ConfigureAwait(false);
            var skip = (int)Math.Min(offset, text.Length);
            var tail = text[skip..];
            return tail.Length > 8000 ? "…" + tail[^8000..] : tail;
        }
        catch (IOException ex)
        {
            return $"(could not read the log: {ex.Message})";
        }
        catch (UnauthorizedAccessException ex)
        {
            return $"(could not read the log: {ex.Message})";
        }
    }

    private void DeleteRootDirectory()
    {
        try
        {
            if (Directory.Exists(RootDirectory))
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }

    // Last resort when a test run ends without disposing: do not leave a postmaster behind.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0 || !Volatile.Read(ref _running))
        {
            return;
        }

        try
        {
            using var process = Process.Start(CreateStartInfo(Tool("pg_ctl"),
                ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "10", "stop"], RootDirectory, _runAsServerUser));
            process?.WaitForExit(15_000);
        }
        catch (Win32Exception)
        {
            // Nothing more can be done while the process exits.
        }
        catch (InvalidOperationException)
        {
            // As above.
        }

        DeleteRootDirectory();
    }

    private static int GetFreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task RunCheckedAsync(
        string step, string fileName, IReadOnlyList<string> arguments, string workingDirectory, bool asServerUser, CancellationToken ct)
    {
        var result = await RunAsync(fileName, arguments, workingDirectory, asServerUser, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(step, result, null);
        }
    }

    private static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, bool asServerUser, CancellationToken ct)
    {
        var startInfo = CreateStartInfo(fileName, arguments, workingDirectory, asServerUser);
        var commandLine = startInfo.FileName + " " + string.Join(' ', startInfo.ArgumentList.Select(Quote));
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"PostgreSQL test server: could not run '{startInfo.FileName}' ({ex.Message}). Command: {commandLine}", ex);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited meanwhile.
            }
            catch (Win32Exception)
            {
                // Cannot be killed; the cancellation still wins.
            }

            throw;
        }

        return new ProcessResult(commandLine, process.ExitCode,
            await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static ProcessStartInfo CreateStartInfo(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, bool asServerUser)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asServerUser ? FindRunuser() : fileName,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (asServerUser)
        {
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add(ServerUser);
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Keep the tools hermetic: PGHOST, PGPORT, PGDATA, PGOPTIONS and friends from the caller's shell would
        // otherwise change what they do.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["LC_ALL"] = "C";
        return startInfo;
    }

    private static string FindRunuser()
    {
        foreach (var candidate in new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "runuser";
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@,".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static InvalidOperationException Failure(string step, ProcessResult result, string? extra)
    {
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"PostgreSQL test server: {step} failed with exit code {result.ExitCode}.")
            .Append('\n').Append("Command: ").Append(result.CommandLine)
            .Append('\n').Append("stderr: ").Append(result.StandardError.Length == 0 ? "(empty)" : result.StandardError.TrimEnd());
        if (result.StandardOutput.Length > 0)
        {
            message.Append('\n').Append("stdout: ").Append(result.StandardOutput.TrimEnd());
        }

        if (extra is not null)
        {
            message.Append('\n').Append(extra.TrimEnd());
        }

        return new InvalidOperationException(message.ToString());
    }

    private sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError);
}
