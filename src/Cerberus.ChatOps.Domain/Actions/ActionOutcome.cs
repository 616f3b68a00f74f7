namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>The result of executing, verifying or reconciling an action.</summary>
public sealed record ActionOutcome(bool Succeeded, string Summary, IReadOnlyDictionary<string, string> Figures)
{
    public static ActionOutcome Success(string summary, IReadOnlyDictionary<string, string>? figures = null) =>
        new(true, summary, figures ?? new Dictionary<string, string>());

    public static ActionOutcome Failure(string summary, IReadOnlyDictionary<string, string>? figures = null) =>
        new(false, summary, figures ?? new Dictionary<string, string>());
}
