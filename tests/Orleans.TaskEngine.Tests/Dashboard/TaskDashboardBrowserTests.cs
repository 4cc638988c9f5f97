using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Orleans.TaskEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orleans.TaskEngine.Tests.Dashboard;

/// <summary>
/// The task dashboard in a real browser: Debian's chromium, headless, driven by Playwright, against the built API host
/// run as a process with one key configured. The page loads without the key and asks for it; tasks submitted over the
/// API appear and finish; Retry on a failed one runs it again; Cancel stops a running one. Set TASKENGINE_SCREENSHOT=path to keep a screenshot.
/// </summary>
public sealed class TaskDashboardBrowserTests
{
    // Debian's browser, never one Playwright downloads: .ci/run installs it with apt when it is missing.
    private const string Chromium = "/usr/bin/chromium";
    private const string Key = "dashboard-test-secret";
    private const float Timeout = 30_000;

    [Fact]
    public async Task The_page_asks_for_the_key_shows_tasks_finish_and_retries_a_failed_one()
    {
        // Fails rather than skips: a dashboard nobody has loaded in a browser is not tested.
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium; .ci/run does) to run the dashboard test.");
        var (host, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(new Dictionary<string, string>
        {
            ["TaskEngine__Api__NamedKeys__ops__Key"] = Key,
            ["TaskEngine__Api__NamedKeys__ops__Roles__0"] = "admin",
        });
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = baseUrl };

        // The page carries no data, so it needs no key; its data calls do.
        using (var page = await http.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }

        using (var data = await http.GetAsync(new Uri("/api/queues", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            Args = ["--no-sandbox"],
        });
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        var scriptErrors = new List<string>();
        tab.PageError += (_, error) => scriptErrors.Add(error);
        try
        {
            await tab.GotoAsync(baseUrl.ToString());
            await Expect(tab.GetByTestId("key-form")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("dashboard")).ToBeHiddenAsync();
            await tab.GetByTestId("key-input").FillAsync(Key);
            await tab.GetByTestId("key-submit").ClickAsync();
            await Expect(tab.GetByTestId("dashboard")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("key-form")).ToBeHiddenAsync();

            // Holds a slot for the whole test: a running task, until the page cancels it.
            var slow = await SubmitAsync(http, new { type = "delay", payload = new { ms = 120_000 }, priority = "high" });
            var echoes = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                echoes.Add(await SubmitAsync(http, new { type = "echo", payload = new { n = i } }));
            }

            // A negative delay is refused by its handler: a permanent failure, and with one attempt the task fails.
            var failing = await SubmitAsync(http, new { type = "delay", payload = new { ms = -1 }, maxAttempts = 1 });

            foreach (var id in echoes)
            {
                await Expect(Row(tab, "latest-tasks", id).GetByTestId("task-status")).ToHaveTextAsync("completed", new() { Timeout = Timeout });
            }

            await Expect(Row(tab, "failed-tasks", failing).GetByTestId("task-error")).ToContainTextAsync("delay expects", new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("count-completed")).ToHaveTextAsync("3", new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("count-failed")).ToHaveTextAsync("1", new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("count-workers")).ToHaveTextAsync("2");
            await Expect(Row(tab, "latest-tasks", slow).GetByTestId("task-status")).ToHaveTextAsync("running", new() { Timeout = Timeout });
            await Expect(tab.GetByTestId("count-running")).ToHaveTextAsync("1");
            await Expect(tab.GetByTestId("queues").Locator("tr[data-queue='default']").GetByTestId("queue-running")).ToHaveTextAsync("1");

            // One click from the failed list to the task, its history in order, then Retry.
            await Row(tab, "failed-tasks", failing).GetByTestId("task-link").ClickAsync();
            var detail = tab.GetByTestId("task-detail");
            await Expect(detail.GetByTestId("detail-id")).ToHaveTextAsync(failing, new() { Timeout = Timeout });
            await Expect(detail.GetByTestId("detail-status")).ToHaveTextAsync("failed");
            await Expect(detail.GetByTestId("detail-attempts")).ToHaveTextAsync("1");
            await Expect(detail.GetByTestId("history-status")).ToHaveTextAsync(["pending", "running", "failed"]);
            await Expect(detail.GetByTestId("detail-errors")).ToContainTextAsync("delay expects");
            await Expect(detail.GetByTestId("detail-retry")).ToBeEnabledAsync();

            await detail.GetByTestId("detail-retry").ClickAsync();

            // It ran again: a second attempt, which fails as the first did, after the retry in its history.
            await Expect(detail.GetByTestId("detail-attempts")).ToHaveTextAsync("2", new() { Timeout = Timeout });
            await Expect(detail.GetByTestId("detail-status")).ToHaveTextAsync("failed", new() { Timeout = Timeout });
            await Expect(detail.GetByTestId("history-event").Last).ToContainTextAsync("attempt 2", new() { Timeout = Timeout });
            await Expect(Row(tab, "latest-tasks", failing).GetByTestId("task-attempts")).ToHaveTextAsync("2", new() { Timeout = Timeout });

            // The retry went over the API with the tab's key: the engine names the key's caller on the retry.
            var history = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/tasks/{failing}/history", UriKind.Relative));
            var retried = history.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("message").GetString()!.Contains("retried", StringComparison.Ordinal));
            Assert.Equal("ops", retried.GetProperty("actor").GetString());

            if (Environment.GetEnvironmentVariable("TASKENGINE_SCREENSHOT") is { Length: > 0 } screenshot)
            {
                await tab.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            }

            // Cancel from the page: the running task stops.
            await Row(tab, "latest-tasks", slow).GetByTestId("task-link").ClickAsync();
            await Expect(detail.GetByTestId("detail-id")).ToHaveTextAsync(slow, new() { Timeout = Timeout });
            await detail.GetByTestId("detail-cancel").ClickAsync();
            await Expect(detail.GetByTestId("detail-status")).ToHaveTextAsync("cancelled", new() { Timeout = Timeout });
            await Expect(detail.GetByTestId("detail-cancel")).ToBeDisabledAsync();
            await Expect(tab.GetByTestId("count-running")).ToHaveTextAsync("0", new() { Timeout = Timeout });

            // An id that names no task says so, and the panel closes.
            await tab.GotoAsync($"{baseUrl}#task=no-such-task");
            await Expect(detail.GetByTestId("detail-id")).ToHaveTextAsync("no-such-task", new() { Timeout = Timeout });
            await detail.GetByTestId("detail-close").ClickAsync();
            await Expect(detail).ToBeHiddenAsync(new() { Timeout = Timeout });

            Assert.Empty(scriptErrors);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{e.Message}\nPage script errors: {string.Join(" | ", scriptErrors)}\n{host.Tail()}", e);
        }
    }

    private static ILocator Row(IPage tab, string list, string id) =>
        tab.GetByTestId(list).Locator($"tr[data-task-id='{id}']");

    private static async Task<string> SubmitAsync(HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("id").GetString()!;
    }
}
