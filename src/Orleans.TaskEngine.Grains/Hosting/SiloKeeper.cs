using Orleans.Runtime;

namespace Orleans.TaskEngine.Hosting;

/// <summary>
/// Something each silo does once it is active and then every <see cref="Period"/> until it stops (e.g. waking grains
/// that must stay active); a tick that throws must log its own failure, the next one tries again.
/// </summary>
public abstract class SiloKeeper : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _keeper = Task.CompletedTask;

    protected abstract TimeSpan Period { get; }

    /// <summary>Whether this silo keeps anything at all (checked once, at start).</summary>
    protected virtual bool Enabled => true;

    protected abstract Task KeepOnceAsync(CancellationToken cancellationToken);

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            _keeper = KeepAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _keeper;
    }

    private async Task KeepAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                await KeepOnceAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }
}
