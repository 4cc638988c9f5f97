namespace Orleans.TaskEngine.Callbacks;

/// <summary>Where the completion callback of one finish stands.</summary>
public enum CallbackStatus
{
    /// <summary>Not delivered yet: the next attempt is due at <see cref="CallbackDelivery.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>No 2xx after <c>TaskEngine:Callbacks:MaxAttempts</c> attempts.</summary>
    GivenUp,
}
