namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>A folder under the system's temporary folder, deleted with what it holds when disposed.</summary>
public sealed class TemporaryFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left to the system's temporary-file cleanup (a killed process may still hold a file for a moment).
        }
    }
}
