namespace Orleans.TaskEngine.Api.Hosting;

/// <summary>How the API host reaches the engine (<c>TaskEngine:Api:Mode</c>).</summary>
public enum ApiMode
{
    /// <summary>Co-hosts a silo in this process: the one-command start.</summary>
    Embedded,

    /// <summary>An Orleans client of a separate silo cluster.</summary>
    Client,

    /// <summary>The host supplies <c>IGrainFactory</c> itself (tests over a TestCluster).</summary>
    External,
}
