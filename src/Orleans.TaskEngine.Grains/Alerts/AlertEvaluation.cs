namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// What an evaluation decided: the new book, the alerts that changed state (each is logged and sent once), and whether
/// the book must be written (a transition, or a change in what the evaluator remembers).
/// </summary>
public sealed record AlertEvaluation(AlertBook Book, IReadOnlyList<AlertStatus> Transitions, bool Changed);
