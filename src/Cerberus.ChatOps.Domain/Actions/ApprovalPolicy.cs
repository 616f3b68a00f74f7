namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>Who may approve risky actions, and for how long a proposal stays valid.</summary>
/// <param name="Approvers">Slack user ids from <c>Cerberus:Approvers</c>; the incident commander may approve too.</param>
/// <param name="RequireSecondPerson">The two-person rule: the proposer may not approve their own proposal.</param>
/// <param name="Expiry">How long an approval card stays valid (default 15 minutes).</param>
public sealed record ApprovalPolicy(IReadOnlySet<string> Approvers, bool RequireSecondPerson, TimeSpan Expiry)
{
    public static ApprovalPolicy Default { get; } =
        new(new HashSet<string>(StringComparer.Ordinal), RequireSecondPerson: false, TimeSpan.FromMinutes(15));

    public bool MayApprove(string userId, string commander) =>
        string.Equals(userId, commander, StringComparison.Ordinal) || Approvers.Contains(userId);
}
