using Cerberus.ChatOps.Domain.Access;

namespace Cerberus.ChatOps.Incidents.Access;

/// <summary><c>Cerberus:Approval</c>.</summary>
internal sealed class ApprovalOptions
{
    /// <summary>
    /// Which approvals need a second person (proposer ≠ approver, both humans): <c>Risky</c> (default: actions that
    /// can lose data or availability), <c>All</c> or <c>None</c>.
    /// </summary>
    public SecondPersonRule SecondPersonFor { get; set; } = SecondPersonRule.Risky;

    /// <summary>How long an approval card stays valid (default 15 minutes).</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the members of a roster user group (S…) are trusted before usergroups.users.list is asked again.</summary>
    public TimeSpan GroupCacheExpiry { get; set; } = TimeSpan.FromMinutes(2);
}
