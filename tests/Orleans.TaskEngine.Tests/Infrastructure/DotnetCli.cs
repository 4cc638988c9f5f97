using System.Diagnostics;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>Runs a command to its end (e.g. <c>dotnet publish</c>) and returns its exit code with everything it printed.</summary>
public static class DotnetCli
{
    public static async Task<(int ExitCode, string Log)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
