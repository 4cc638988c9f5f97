using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The one SQLite file of a silo: opened once, locked against a second process, its schema applied, and written by one
/// connection only. Every store's writes (grain state, queue index, reminders, the audit log) join one
/// <see cref="GroupCommitQueue{TOperation}"/>, and each flush runs all that is queued in one transaction (one fsync in
/// <see cref="SqliteSynchronous.Full"/> mode). Reads use their own pooled connections, which WAL lets run beside the
/// writer and which see every committed write: a point read at once on the caller's thread, a long one (search, a
/// report) on the thread pool.
/// </summary>
public sealed partial class SqliteDatabase : IAsyncDisposable, IDisposable
{
    private const int MaxBatchSize = 1_000;

    // How often the log is copied into the file (a passive checkpoint: it never waits for, nor holds up, the writer).
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    private readonly ILogger<SqliteDatabase> _logger;
    private readonly SqliteFileLock _lock;
    private readonly SqliteConnection _writer;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly GroupCommitQueue<SqliteWork> _queue;
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly SqliteSynchronous _synchronous;
    private readonly Timer _checkpoints;
    private int _checkpointing;

    public SqliteDatabase(IOptions<SqliteStoreOptions> options, ILogger<SqliteDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var settings = options.Value;
        _synchronous = settings.Synchronous;
        FilePath = SqliteFile.ResolvePath(settings.ConnectionString);

        // A second host on the same file is refused before the file is touched.
        _lock = SqliteFileLock.Acquire(FilePath);
        try
        {
            var builder = new SqliteConnectionStringBuilder(settings.ConnectionString ?? string.Empty)
            {
                DataSource = FilePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                DefaultTimeout = settings.BusyTimeoutSeconds,
                Pooling = true,
            };
            _writer = SqliteFile.OpenChecked(builder.ConnectionString, FilePath);
            SqliteFile.Initialize(_writer, FilePath, _synchronous);
            _writeConnectionString = builder.ConnectionString;
            _readConnectionString = new SqliteConnectionStringBuilder(builder.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ConnectionString;
        }
        catch
        {
            _writer?.Dispose();
            _lock.Dispose();
            throw;
        }

        _checkpoints = new Timer(_ => Checkpoint(), null, CheckpointInterval, CheckpointInterval);
        _queue = new GroupCommitQueue<SqliteWork>(
            MaxBatchSize,
            settings.MaxQueuedOperations,
            RunBatchAsync,
            () => new ObjectDisposedException(nameof(SqliteDatabase), "The SQLite store is closed: the silo is shutting down."));
        LogOpened(FilePath, _synchronous);
    }

    /// <summary>The database file, absolute.</summary>
    public string FilePath { get; }

    /// <summary>Transactions committed (for tests: many operations, few commits).</summary>
    internal long BatchesWritten => _queue.BatchesWritten;

    /// <summary>Runs <paramref name="work"/> on the writer, in the next batch's transaction; its result once committed.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteWriter, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var item = new SqliteWork(writer => work(writer));
        await _queue.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        return (T)item.Result!;
    }

    /// <summary>Runs a short read (a point lookup, a page) on a pooled read-only connection, on the caller's thread.</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>Runs <paramref name="read"/> on a read-only connection of its own, off the caller's thread.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Task.Run(
            () =>
            {
                using var connection = new SqliteConnection(_readConnectionString);
                connection.Open();
                return read(connection);
            },
            cancellationToken);
    }

    /// <summary>
    /// Gives the file system back the pages that purges freed (the file is made with auto_vacuum=INCREMENTAL), then
    /// checkpoints the log into the file and truncates both. On a connection of its own, outside the writer's batches:
    /// a checkpoint cannot run inside a transaction; the busy timeout has it wait for the writer's commit.
    /// </summary>
    /// <returns>The pages given back.</returns>
    public Task<long> ReclaimFreePagesAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => OnOwnConnection("PRAGMA freelist_count", "PRAGMA incremental_vacuum", "PRAGMA wal_checkpoint(TRUNCATE)"), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _checkpoints.DisposeAsync().ConfigureAwait(false);
        await _queue.DisposeAsync().ConfigureAwait(false);
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        // Checkpoints the log into the file, so a clean stop leaves one file.
        await _writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearPool(_writer);
        _lock.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A passive checkpoint on a connection of its own: copies what the log holds into the file, as far as no reader needs it.</summary>
    private void Checkpoint()
    {
        if (Interlocked.Exchange(ref _checkpointing, 1) == 1)
        {
            return;
        }

        try
        {
            OnOwnConnection("PRAGMA wal_checkpoint(PASSIVE)");
        }
        catch (SqliteException ex)
        {
            LogCheckpointFailed(ex, FilePath);
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    /// <summary>Runs statements in order on a read-write connection other than the writer; the first one's number.</summary>
    private long OnOwnConnection(params string[] statements)
    {
        using var connection = new SqliteConnection(_writeConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = statements[0];
        var first = command.ExecuteScalar() is long number ? number : 0;
        foreach (var statement in statements.Skip(1))
        {
            // Stepped to the end: incremental_vacuum frees its pages as it is stepped.
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }

        return first;
    }

    private Task RunBatchAsync(IReadOnlyList<GroupCommitQueue<SqliteWork>.Pending> batch)
    {
        var writer = new SqliteWriter(_writer, _commands);
        using var transaction = _writer.BeginTransaction(deferred: false);
        writer.Transaction = transaction;
        var failed = new List<(TaskCompletionSource Completion, Exception Error)>();
        try
        {
            foreach (var (work, completion) in batch)
            {
                try
                {
                    work.Result = work.Run(writer);
                }
                catch (Exception ex) when (ex is not SqliteException)
                {
                    // The operation's own refusal (a version conflict), made before it changed anything (SqliteWork's
                    // rule): it fails alone, the others go on. A database error fails the whole transaction.
                    failed.Add((completion, ex));
                }
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            LogBatchFailed(ex, FilePath, batch.Count);
            throw;
        }

        // Only once committed: the others succeed when this returns, these fail with their own error.
        foreach (var (completion, error) in failed)
        {
            completion.TrySetException(error);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite store: {Path} (synchronous={Synchronous}, WAL); tasks survive a restart of this process")]
    private partial void LogOpened(string path, SqliteSynchronous synchronous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite store {Path}: a checkpoint failed; the next one (in a second) tries again")]
    private partial void LogCheckpointFailed(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite store {Path}: a transaction of {Count} operation(s) failed; each fails to its caller")]
    private partial void LogBatchFailed(Exception exception, string path, int count);
}
