namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>How an injected fault fails the operation.</summary>
public enum FaultKind
{
    /// <summary>The operation throws and nothing is written (a refused write, a dropped connection before commit).</summary>
    FailBefore,

    /// <summary>
    /// The operation is carried out, then throws: the database committed but the caller never heard (a connection
    /// dropped after COMMIT, a client-side timeout). The caller cannot tell this from <see cref="FailBefore"/>.
    /// </summary>
    CommitThenFail,

    /// <summary>
    /// The operation waits until the test releases it (<see cref="StoreFaults.Armed.Release"/>), then throws and writes
    /// nothing: a slow write that fails, for what others see while it is in flight.
    /// </summary>
    HoldThenFail,
}
