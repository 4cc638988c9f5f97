using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class EmbeddedSiloTests
{
    [Fact]
    public async Task The_silo_starts_embedded_and_says_state_does_not_survive_a_restart()
    {
        await using var silo = EngineProcess.Start("Orleans.TaskEngine.Silo", new Dictionary<string, string>
        {
            ["TaskEngine__Storage"] = "Memory",
            ["TaskEngine__Cluster__SiloPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TaskEngine__Cluster__GatewayPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        await silo.WaitForOutputAsync("does not survive a restart", TimeSpan.FromSeconds(60));
        await silo.WaitForOutputAsync("worker(s) on silo", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_silo_with_no_storage_setting_keeps_its_tasks_in_a_sqlite_file_under_its_working_directory()
    {
        var folder = Directory.CreateTempSubdirectory("taskengine-silo-").FullName;
        try
        {
            await using var silo = EngineProcess.StartIn(folder, "Orleans.TaskEngine.Silo", new Dictionary<string, string>
            {
                ["TaskEngine__Cluster__SiloPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["TaskEngine__Cluster__GatewayPort"] = EngineProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

            var file = Path.Combine(folder, "data", "taskengine.db");
            await silo.WaitForOutputAsync($"Tasks are stored in the SQLite file {file}: they survive a restart", TimeSpan.FromSeconds(60));
            await silo.WaitForOutputAsync("worker(s) on silo", TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
