namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>
/// The environment of an engine process for the crash tests: a callback secret, 127.0.0.1 allowed, quick retries that do
/// not run out, and a watchdog ticking every 2 s, so a restarted silo makes up for a lost delivery within seconds.
/// </summary>
public static class CallbackCrashSettings
{
    public const string Secret = "crash-test-secret";

    public static Dictionary<string, string> Environment() => new()
    {
        ["TaskEngine__Callbacks__Secret"] = Secret,
        ["TaskEngine__Callbacks__MaxAttempts"] = "100",
        ["TaskEngine__Callbacks__RetryBaseDelay"] = "00:00:00.200",
        ["TaskEngine__Callbacks__RetryMaxDelay"] = "00:00:01",
        ["TaskEngine__Http__AllowedHosts__0"] = "127.0.0.1",
        ["TaskEngine__Reminders__MinimumReminderPeriod"] = "00:00:01",
        ["TaskEngine__Tasks__WatchdogPeriod"] = "00:00:02",
    };
}
