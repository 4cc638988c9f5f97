using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TaskEngine.Tests.Api;

namespace Orleans.TaskEngine.Tests.Dashboard;

/// <summary>
/// The dashboard's files as the host serves them, with keys configured: the page and every module it imports load
/// without a key (embedded, so nothing beside the binary is needed), under a policy that lets the page reach only this
/// host; its data stays behind the key; the page is not part of the API's description.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class TaskDashboardPageTests(ApiCluster fixture)
{
    [Fact]
    public async Task The_page_and_every_module_it_imports_load_without_a_key_while_the_data_needs_one()
    {
        using var http = fixture.Keyed.CreateClient();

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"key-form\"", html, StringComparison.Ordinal);

        // Follows the imports from the page's module: each is served, as JavaScript.
        var pending = new Queue<string>(LocalScripts().Matches(html).Select(m => m.Groups["name"].Value));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            using var script = await http.GetAsync(new Uri($"/ui/{name}", UriKind.Relative));
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"/ui/{name}: {script.StatusCode}");
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            foreach (Match import in Imports().Matches(await script.Content.ReadAsStringAsync()))
            {
                pending.Enqueue(import.Groups["name"].Value);
            }
        }

        Assert.Superset(new HashSet<string> { "app.js", "api.js", "dom.js", "views.js", "chart.js", "detail.js" }, seen);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/ui/app.css", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/ui/secrets.json", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/queues", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_reload_revalidates_the_page_by_its_etag()
    {
        using var http = fixture.Keyed.CreateClient();
        using var first = await http.GetAsync(new Uri("/ui/app.js", UriKind.Relative));
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/ui/app.js", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var revalidated = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Fact]
    public void The_page_is_anonymous_and_left_out_of_the_openapi_document()
    {
        var endpoints = fixture.Keyed.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is "/" or "/ui/{name}")
            .ToList();

        Assert.Equal(2, endpoints.Count);
        Assert.All(endpoints, e =>
        {
            Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.True(e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription);
        });
    }

    [GeneratedRegex("""src="/ui/(?<name>[a-z]+\.js)""")]
    private static partial Regex LocalScripts();

    [GeneratedRegex("""from '\./(?<name>[a-z]+\.js)'""")]
    private static partial Regex Imports();
}
