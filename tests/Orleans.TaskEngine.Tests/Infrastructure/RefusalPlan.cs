using System.Collections.Concurrent;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// When a test's webhook or callback receiver answers 500 (to make the sender retry): every request while
/// <see cref="Refusing"/>; the first <paramref name="failFirst"/> requests; and the first few whose body holds a marker
/// (<see cref="FailFirstContaining"/>), whatever else arrives meanwhile.
/// </summary>
public sealed class RefusalPlan(int failFirst = 0)
{
    private readonly ConcurrentDictionary<string, int> _marked = new(StringComparer.Ordinal);
    private int _failuresLeft = failFirst;
    private volatile bool _refusing;

    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    public void FailFirstContaining(string marker, int count) => _marked[marker] = count;

    /// <summary>Whether to refuse this request; counts it against what is left to refuse. One request at a time (<see cref="LocalReceiver"/> serves them so).</summary>
    public bool Refuses(string body) => Refusing || Interlocked.Decrement(ref _failuresLeft) >= 0 || RefusesMarked(body);

    private bool RefusesMarked(string body)
    {
        foreach (var (marker, left) in _marked)
        {
            if (left > 0 && body.Contains(marker, StringComparison.Ordinal))
            {
                _marked[marker] = left - 1;
                return true;
            }
        }

        return false;
    }
}
