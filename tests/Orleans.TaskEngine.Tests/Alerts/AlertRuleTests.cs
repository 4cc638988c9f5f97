using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>Bad rules stop the start with the setting's name; good ones get their kind's defaults.</summary>
public sealed class AlertRuleTests
{
    private static ValidateOptionsResult Validate(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var options = configuration.GetSection(AlertOptions.Section).Get<AlertOptions>() ?? new AlertOptions();
        return new AlertOptionsValidator().Validate(null, options);
    }

    [Theory]
    [InlineData("Kind", "Depth", "Kind 'Depth' is not a kind of alert")]
    [InlineData("Kind", "QueueDepth", "Threshold is required for QueueDepth")]
    [InlineData("Kind", "OldestPending", "Window is required for OldestPending")]
    [InlineData("Kind", "FailureRatio", "Threshold is required for FailureRatio")]
    public void A_bad_rule_is_refused_with_its_setting_named(string key, string value, string expected)
    {
        var result = Validate(($"TaskEngine:Alerts:Rules:bad:{key}", value));
        Assert.True(result.Failed);
        Assert.Contains("TaskEngine:Alerts:Rules:bad", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FailureRatio", "Threshold", "1.5", "at least 0 and below 1")]
    [InlineData("QueueDepth", "Threshold", "2.5", "a whole number")]
    [InlineData("SiloDead", "Queue", "q", "Queue is not used by a SiloDead rule")]
    [InlineData("QueueDepth", "Window", "00:01:00", "Window is not used by a QueueDepth rule")]
    [InlineData("OldestPending", "Window", "-00:01:00", "Window must be positive")]
    public void A_bad_field_is_refused(string kind, string key, string value, string expected)
    {
        var settings = new Dictionary<string, string> { ["Kind"] = kind };
        if (kind is "FailureRatio" or "QueueDepth")
        {
            settings["Threshold"] = "0";
        }

        settings[key] = value;
        var result = Validate([.. settings.Select(s => ($"TaskEngine:Alerts:Rules:bad:{s.Key}", s.Value))]);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhooks_need_a_secret_and_an_http_url()
    {
        var result = Validate(("TaskEngine:Alerts:Webhooks:0", "ftp://example.com/hook"));
        Assert.Contains("must be an absolute http or https URL", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TaskEngine:Alerts:Secret is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_rules_pass_and_get_their_defaults()
    {
        Assert.True(Validate(
            ("TaskEngine:Alerts:Rules:failing:Kind", "FailureRatio"), ("TaskEngine:Alerts:Rules:failing:Threshold", "0.25"),
            ("TaskEngine:Alerts:Rules:dead:Kind", "SiloDead"),
            ("TaskEngine:Alerts:Webhooks:0", "https://hooks.example.com/x"), ("TaskEngine:Alerts:Secret", "s")).Succeeded);
        var rules = Orleans.TaskEngine.Alerts.AlertRule.All(new AlertOptions
        {
            Rules = { ["failing"] = new() { Kind = "failureratio", Threshold = 0.25 }, ["dead"] = new() { Kind = "SiloDead" } },
        });
        Assert.Equal(["dead", "failing"], rules.Select(r => r.Name));
        Assert.All(rules, r => Assert.Equal(TimeSpan.FromMinutes(5), r.Window));
        Assert.Equal(1, rules[1].MinCount);
    }

    [Fact]
    public void A_silo_with_a_bad_rule_does_not_start()
    {
        var services = new ServiceCollection();
        services.AddOptions<AlertOptions>().Configure(o => o.Rules["bad"] = new AlertRuleOptions { Kind = "QueueDepth" }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertOptions>>().Value);
        Assert.Contains("TaskEngine:Alerts:Rules:bad:Threshold", error.Message, StringComparison.Ordinal);
    }
}
