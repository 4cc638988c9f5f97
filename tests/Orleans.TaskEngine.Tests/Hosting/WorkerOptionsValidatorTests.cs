using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tests.Hosting;

public sealed class WorkerOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid_and_give_a_stopping_silo_45_seconds_for_its_workers()
    {
        var options = new WorkerOptions();

        Assert.True(new WorkerOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(10), options.CancellationGracePeriod);
        Assert.Equal(TimeSpan.FromMinutes(10), options.ReportRetryLimit);
        Assert.Equal(TimeSpan.FromSeconds(45), options.StopBudget);
    }

    [Fact]
    public void A_shutdown_grace_period_of_zero_hands_back_at_once_and_is_valid()
    {
        Assert.True(new WorkerOptionsValidator().Validate(null, new WorkerOptions { ShutdownGracePeriod = TimeSpan.Zero }).Succeeded);
    }

    [Theory]
    [InlineData(nameof(WorkerOptions.ShutdownGracePeriod), -1)]
    [InlineData(nameof(WorkerOptions.CancellationGracePeriod), 0)]
    [InlineData(nameof(WorkerOptions.ReportRetryLimit), 0)]
    public void A_bad_grace_or_retry_setting_fails_naming_it(string setting, int seconds)
    {
        var options = new WorkerOptions();
        typeof(WorkerOptions).GetProperty(setting)!.SetValue(options, TimeSpan.FromSeconds(seconds));

        var result = new WorkerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"TaskEngine:Workers:{setting}", result.FailureMessage, StringComparison.Ordinal);
    }
}
