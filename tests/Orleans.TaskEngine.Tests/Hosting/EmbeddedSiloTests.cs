using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class EmbeddedSiloTests
{
    [Fact]
    public async Task The_silo_starts_embedded_and_says_state_does_not_survive_a_restart()
    {
        var silo = Path.Combine(AppContext.BaseDirectory, "Orleans.TaskEngine.Silo.dll");
        Assert.True(File.Exists(silo), $"{silo} not built");
        var start = new ProcessStartInfo("dotnet", [silo])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TaskEngine__Cluster__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TaskEngine__Cluster__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var process = Process.Start(start)!;
        var said = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("does not survive a restart", StringComparison.Ordinal) == true)
            {
                said.TrySetResult();
            }

            if (e.Data?.Contains("worker(s) on silo", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await said.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
