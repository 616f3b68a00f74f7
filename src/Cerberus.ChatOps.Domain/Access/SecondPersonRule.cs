namespace Cerberus.ChatOps.Domain.Access;

/// <summary><c>Cerberus:Approval:SecondPersonFor</c>: which approvals need someone other than the proposer.</summary>
public enum SecondPersonRule
{
    /// <summary>Actions that can lose data or availability (see <see cref="ActionRisk"/>); the default.</summary>
    Risky,

    /// <summary>Every approval.</summary>
    All,

    /// <summary>No approval (the proposer may approve their own card; still only from the roster).</summary>
    None,
}
