using System.Diagnostics;
using System.Globalization;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Keeps a second process off the database file: an exclusive lock on <c>{file}.lock</c> (an OS lock, released when the
/// process ends, however it ends) for as long as the store is open. The holder's process id is written beside it, in
/// <c>{file}.lock.owner</c>, since a locked file cannot be read by another process.
/// </summary>
internal sealed class SqliteFileLock : IDisposable
{
    private readonly FileStream _stream;

    private SqliteFileLock(FileStream stream) => _stream = stream;

    public static SqliteFileLock Acquire(string databasePath)
    {
        var lockPath = databasePath + ".lock";
        var ownerPath = lockPath + ".owner";
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "another process";
            throw new SqliteStoreException(
                $"The task database {databasePath} is in use by {owner}: one process at a time runs on a SQLite file. " +
                "Stop that process, or point ConnectionStrings__TaskEngine at another file (or use PostgreSQL for several silos).", ex);
        }

        using var self = Process.GetCurrentProcess();
        File.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} ({self.ProcessName}) on {Environment.MachineName}, since {DateTimeOffset.UtcNow:O}"));
        return new SqliteFileLock(stream);
    }

    public void Dispose() => _stream.Dispose();
}
