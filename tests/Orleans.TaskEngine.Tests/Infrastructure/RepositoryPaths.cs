namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>Where the built programs of this repository are, for tests that run them as real processes.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The output folder of a src/ (or bench/) project, built in the same configuration as the tests.</summary>
    public static string ProjectOutput(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var area = project.EndsWith(".Bench", StringComparison.Ordinal) ? "bench" : "src";
        var folder = Path.Combine(Root, area, project, "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(folder, project + ".dll")))
        {
            throw new InvalidOperationException($"{project} is not built in {folder}; build the solution first.");
        }

        return folder;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.TaskEngine.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.TaskEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
