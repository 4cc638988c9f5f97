using System.Runtime.CompilerServices;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Api.Endpoints;

/// <summary>
/// A task's events as its grain hands them out, page by page: the long poll of <see cref="ITaskGrain.WaitForEvents"/>
/// that the SSE stream and the WebSocket both read. Each poll waits at most <see cref="Slice"/> (under Orleans' 30 s
/// response timeout) and asks for the events after the last one of the page before; the feed ends after the page that
/// says the task finished. A null page is a grain that knows no such task: the reader decides whether to stop or to
/// read on (a task announced by its queue before its submit is stored answers so for a moment).
/// </summary>
internal static class TaskEventFeed
{
    /// <summary>The longest one poll waits for a new event.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromSeconds(15);

    public static async IAsyncEnumerable<TaskEventPage?> PagesAsync(ITaskGrain task, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await task.WaitForEvents(after, Slice).WaitAsync(cancellationToken);
            yield return page;
            if (page is null)
            {
                continue;
            }

            if (page.Events.Count > 0)
            {
                after = page.Events[^1].Sequence;
            }

            if (page.Finished)
            {
                yield break;
            }
        }
    }
}
