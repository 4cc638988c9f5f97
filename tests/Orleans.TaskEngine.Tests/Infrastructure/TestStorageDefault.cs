using System.Runtime.CompilerServices;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// The hosts the tests start run on the in-memory store unless a test says otherwise: the shipped default (a SQLite file
/// in the working directory, owned by one process) would have every test host share, and lock, one file. Processes the
/// tests start inherit it; a test of the default (SqliteProcessTests) removes it from its process's environment.
/// </summary>
internal static class TestStorageDefault
{
    public const string Variable = "TaskEngine__Storage";

    [ModuleInitializer]
    internal static void UseMemoryUnlessSet()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "Memory");
        }
    }
}
