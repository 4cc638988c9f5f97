namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>A test class that disposes, after each test, every disposable it handed out through <see cref="Track"/>.</summary>
public abstract class DisposesWhatItCreates<T> : IAsyncLifetime
    where T : class
{
    private readonly List<T> _created = [];

    protected T Track(T item)
    {
        _created.Add(item);
        return item;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in _created.OfType<IAsyncDisposable>())
        {
            await item.DisposeAsync();
        }
    }
}
