namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// The rules of the alert book's outbox, with no cluster or network: each transition owes one POST to each webhook,
/// in order; a delivery leaves when it is settled (delivered, or given up); a webhook taken out of the configuration
/// takes its deliveries with it; and a webhook that never answers holds at most <see cref="MaxPerWebhook"/>, the oldest
/// going first.
/// </summary>
public static class AlertOutbox
{
    public const int MaxPerWebhook = 1000;

    /// <summary>Appends one delivery per transition and webhook to <paramref name="book"/>; returns those it dropped to stay in bounds.</summary>
    public static IReadOnlyList<AlertDelivery> Add(AlertBook book, IReadOnlyList<AlertStatus> transitions, IReadOnlyList<string> webhooks, Func<string> newId)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(webhooks);
        ArgumentNullException.ThrowIfNull(newId);
        if (transitions.Count == 0)
        {
            return [];
        }

        var dropped = new List<AlertDelivery>();
        foreach (var url in webhooks.Distinct(StringComparer.Ordinal))
        {
            book.Outbox.AddRange(transitions.Select(t => new AlertDelivery { Id = newId(), Url = url, Alert = t }));
            var excess = book.Outbox.Count(d => d.Url == url) - MaxPerWebhook;
            foreach (var oldest in book.Outbox.Where(d => d.Url == url).Take(Math.Max(0, excess)).ToList())
            {
                book.Outbox.Remove(oldest);
                dropped.Add(oldest);
            }
        }

        return dropped;
    }

    /// <summary>Takes the delivery <paramref name="id"/> out; false when it is not there (settled already).</summary>
    public static bool Settle(AlertBook book, string id)
    {
        ArgumentNullException.ThrowIfNull(book);
        return book.Outbox.RemoveAll(d => d.Id == id) > 0;
    }

    /// <summary>Takes out the deliveries to webhooks no longer configured; returns them.</summary>
    public static IReadOnlyList<AlertDelivery> Forget(AlertBook book, IReadOnlyList<string> webhooks)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(webhooks);
        var gone = book.Outbox.Where(d => !webhooks.Contains(d.Url, StringComparer.Ordinal)).ToList();
        book.Outbox.RemoveAll(gone.Contains);
        return gone;
    }
}
