using System.ComponentModel.DataAnnotations;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class QueueOptionsTests
{
    [Fact]
    public void The_cap_on_queues_defaults_to_1000_and_must_leave_room_for_the_configured_queues()
    {
        var options = new QueueOptions();
        Assert.Equal(1_000, options.MaxQueues);
        Assert.True(new QueueOptionsValidator().Validate(null, options).Succeeded);

        // Overrides of two queues and of the default one: three queues always exist.
        options.Overrides["a"] = new QueueSettings();
        options.Overrides["b"] = new QueueSettings();
        options.Overrides["default"] = new QueueSettings { MaxPending = 5 };
        options.MaxQueues = 2;
        var refused = new QueueOptionsValidator().Validate(null, options);
        Assert.True(refused.Failed);
        Assert.Contains("TaskEngine:Queues:MaxQueues (2) is below the number of configured queues (3", refused.FailureMessage, StringComparison.Ordinal);

        options.MaxQueues = 3;
        Assert.True(new QueueOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void The_cap_and_the_rebuild_page_are_at_least_one(int value, bool valid)
    {
        Assert.Equal(valid, IsValid(new QueueOptions { MaxQueues = value }));
        Assert.Equal(valid, IsValid(new QueueOptions { RebuildPageSize = value }));
    }

    private static bool IsValid(QueueOptions options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
