namespace Orleans.TaskEngine.Storage.Database;

/// <summary>Where the schema scripts are: <c>silo-config/sql/NNN-*.sql</c>, copied beside the binary into <c>sql/</c>.</summary>
public static class SchemaScripts
{
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "sql");

    /// <summary>The scripts in the order they must run (their names start with a three-digit number).</summary>
    public static IReadOnlyList<string> InOrder(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The schema scripts folder '{directory}' does not exist; it should hold silo-config/sql/*.sql.");
        }

        var scripts = Directory.GetFiles(directory, "*.sql")
            .Where(f => Path.GetFileName(f) is { Length: > 4 } name && char.IsAsciiDigit(name[0]) && char.IsAsciiDigit(name[1]) && char.IsAsciiDigit(name[2]))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (scripts.Count == 0)
        {
            throw new FileNotFoundException($"No NNN-*.sql schema scripts in '{directory}'.");
        }

        return scripts;
    }
}
