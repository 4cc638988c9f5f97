namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>What a fault-injecting store throws where a driver would throw its own exception.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
