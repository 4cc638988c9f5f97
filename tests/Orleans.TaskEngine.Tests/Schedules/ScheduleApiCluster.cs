using System.Net.Http.Json;
using System.Text;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Http.Schedules;
using Orleans.TaskEngine.Schedules;
using Orleans.TaskEngine.Tests.Api;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Schedules;

/// <summary>Two silos (in-memory store) with the API host in front, for the schedules' REST tests.</summary>
public sealed class ScheduleApiCluster() : EngineCluster(2)
{
    public ApiFactory Api { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = new ApiFactory(Cluster.Client, new Dictionary<string, string?>());
        Http = Api.CreateClient();
    }

    public override async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ScheduleCollection : ICollectionFixture<ScheduleApiCluster>
{
    public const string Name = "schedules";
}

/// <summary>The schedule calls the REST tests make, on any host.</summary>
public static class ScheduleHttp
{
    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static async Task<ScheduleResource> CreateAsync(this HttpClient http, string body)
    {
        using var response = await http.PostAsync("/api/schedules", Json(body));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var schedule = (await response.Content.ReadFromJsonAsync<ScheduleResource>(TaskEngineJson.Options))!;
        Assert.Equal($"/api/schedules/{schedule.Id}", response.Headers.Location!.OriginalString);
        return schedule;
    }

    public static async Task<ScheduleResource> CommandAsync(this HttpClient http, string id, string command)
    {
        using var response = await http.PostAsync($"/api/schedules/{id}/{command}", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ScheduleResource>(TaskEngineJson.Options))!;
    }

    public static async Task<ScheduleRunResource[]> RunsAsync(this HttpClient http, string id) =>
        (await http.GetFromJsonAsync<ScheduleRunResource[]>($"/api/schedules/{id}/runs", TaskEngineJson.Options))!;

    public static Task<ScheduleRunResource[]> RunsUntilAsync(this HttpClient http, string id, int count, TimeSpan timeout) =>
        Eventually.Until(() => http.RunsAsync(id), runs => runs.Length >= count, timeout, $"{count} runs of schedule {id}");

    /// <summary>
    /// Waits for the task of the schedule's fire time two seconds from now, read by its derived id: the schedule fires
    /// without anything reading it (a read would activate it). Returns that fire time.
    /// </summary>
    public static async Task<DateTimeOffset> FiringSoonAsync(this HttpClient http, string scheduleId)
    {
        var now = DateTimeOffset.UtcNow;
        var soon = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(2);
        await Eventually.Until(
            async () =>
            {
                using var response = await http.GetAsync($"/api/tasks/{ScheduleIds.TaskIdFor(scheduleId, soon)}");
                return response.StatusCode;
            },
            status => status == System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(30), $"the task of the firing of {soon:O}");
        return soon;
    }
}
