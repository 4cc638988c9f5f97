namespace Orleans.TaskEngine.Scheduling;

public static class QueueIndexExtensions
{
    /// <summary>The page size of <see cref="LoadUnfinishedAsync(IQueueIndex, string, CancellationToken)"/>.</summary>
    public const int PageSize = 1_000;

    /// <summary>
    /// Every unfinished task of a queue, in the order they run, read a page at a time. For tools and tests: a scheduler
    /// reads its queue page by page itself and stops at what the queue can hold.
    /// </summary>
    public static async Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(this IQueueIndex index, string queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        var all = new List<QueueEntry>();
        while (true)
        {
            var page = await index.LoadUnfinishedAsync(queue, all.Count > 0 ? all[^1] : null, PageSize, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < PageSize)
            {
                return all;
            }
        }
    }
}
