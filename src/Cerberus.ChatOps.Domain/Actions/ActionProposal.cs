namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>A proposal, or the reason there is none (no candidate, nothing to clean, not configured...).</summary>
public sealed record ActionProposal(ActionRecord? Action, string? NotApplicableReason)
{
    public static ActionProposal Of(ActionRecord action) => new(action, null);

    public static ActionProposal NotApplicable(string reason) => new(null, reason);
}
