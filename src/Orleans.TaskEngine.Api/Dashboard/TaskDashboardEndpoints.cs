namespace Orleans.TaskEngine.Api.Dashboard;

/// <summary>
/// The task dashboard: the page at <c>/</c> and its scripts and styles under <c>/ui/</c>. Anonymous, because the files
/// carry no data: the page asks for a key and sends it on its <c>/api</c> calls, which stay behind the keys.
/// Left out of the OpenAPI document: it is not part of the API.
/// </summary>
public static class TaskDashboardEndpoints
{
    public static IEndpointRouteBuilder MapTaskDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = DashboardFiles.Load();
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", methods, (HttpContext http) => files.Serve(http, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/ui/{name}", methods, (HttpContext http, string name) => files.Serve(http, name)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
