namespace Orleans.TaskEngine.Handlers;

/// <summary>Binds a task type name to the handler class that runs it.</summary>
public sealed record TaskHandlerRegistration(string Type, Type HandlerType);
