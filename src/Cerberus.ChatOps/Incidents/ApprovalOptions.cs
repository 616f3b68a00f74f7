namespace Cerberus.ChatOps.Incidents;

/// <summary><c>Cerberus:Approval</c>.</summary>
public sealed class ApprovalOptions
{
    /// <summary>The two-person rule: the proposer may not approve their own proposal.</summary>
    public bool RequireSecondPerson { get; set; }

    /// <summary>How long an approval card stays valid (default 15 minutes).</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromMinutes(15);
}
