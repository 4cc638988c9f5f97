using Orleans.TaskEngine.Alerts;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>The alert book's outbox without a cluster: what a transition owes each webhook, and when it leaves.</summary>
public sealed class AlertOutboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);
    private int _ids;

    private string NewId() => $"d{++_ids}";

    private static AlertStatus Alert(string name, AlertState state) =>
        new() { Name = name, State = state, Since = Now, Message = name, Labels = new Dictionary<string, string>() };

    [Fact]
    public void Each_transition_owes_one_delivery_to_each_webhook_in_order()
    {
        var book = new AlertBook();
        var dropped = AlertOutbox.Add(book, [Alert("a", AlertState.Firing), Alert("b", AlertState.Resolved)], ["http://one/", "http://two/", "http://one/"], NewId);

        Assert.Empty(dropped);
        Assert.Equal(["http://one/:a", "http://one/:b", "http://two/:a", "http://two/:b"], book.Outbox.Select(d => $"{d.Url}:{d.Alert.Name}"));
        Assert.Equal(4, book.Outbox.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void No_transition_owes_nothing()
    {
        var book = new AlertBook();
        AlertOutbox.Add(book, [], ["http://one/"], NewId);
        Assert.Empty(book.Outbox);
    }

    [Fact]
    public void A_settled_delivery_leaves_once_and_the_others_stay()
    {
        var book = new AlertBook();
        AlertOutbox.Add(book, [Alert("a", AlertState.Firing)], ["http://one/", "http://two/"], NewId);
        var first = book.Outbox[0].Id;

        Assert.True(AlertOutbox.Settle(book, first));
        Assert.False(AlertOutbox.Settle(book, first));
        Assert.Equal(["http://two/"], book.Outbox.Select(d => d.Url));
    }

    [Fact]
    public void A_webhook_that_never_answers_holds_at_most_the_limit_and_the_oldest_go_first()
    {
        var book = new AlertBook();
        for (var i = 0; i < AlertOutbox.MaxPerWebhook; i++)
        {
            AlertOutbox.Add(book, [Alert($"a{i}", AlertState.Firing)], ["http://down/"], NewId);
        }

        var dropped = AlertOutbox.Add(book, [Alert("late", AlertState.Firing)], ["http://down/"], NewId);

        Assert.Equal(["a0"], dropped.Select(d => d.Alert.Name));
        Assert.Equal(AlertOutbox.MaxPerWebhook, book.Outbox.Count);
        Assert.Equal("a1", book.Outbox[0].Alert.Name);
        Assert.Equal("late", book.Outbox[^1].Alert.Name);
    }

    [Fact]
    public void Deliveries_to_a_webhook_taken_out_of_the_configuration_are_forgotten()
    {
        var book = new AlertBook();
        AlertOutbox.Add(book, [Alert("a", AlertState.Firing)], ["http://kept/", "http://gone/"], NewId);

        var gone = AlertOutbox.Forget(book, ["http://kept/"]);

        Assert.Equal(["http://gone/"], gone.Select(d => d.Url));
        Assert.Equal(["http://kept/"], book.Outbox.Select(d => d.Url));
    }

    [Fact]
    public void A_copy_of_the_book_has_its_own_outbox()
    {
        var book = new AlertBook();
        AlertOutbox.Add(book, [Alert("a", AlertState.Firing)], ["http://one/"], NewId);
        var copy = book.Copy();
        AlertOutbox.Settle(copy, copy.Outbox[0].Id);

        Assert.Single(book.Outbox);
        Assert.Empty(copy.Outbox);
    }
}
