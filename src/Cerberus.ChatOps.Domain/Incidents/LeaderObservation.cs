namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// One look at the cluster for the leader watch: who holds the leader key (<c>/cluster</c>), what <c>/history</c> says
/// the newest timeline is, and every member as it answered.
/// </summary>
public sealed record LeaderObservation
{
    /// <summary>The member holding the leader key in the believed <c>/cluster</c> answer; null when none does.</summary>
    public string? Leader { get; init; }

    /// <summary>The key holder's timeline in <c>/cluster</c>.</summary>
    public int? LeaderTimeline { get; init; }

    /// <summary>The newest timeline by <c>/history</c>: its last entry's timeline + 1 (each entry names the timeline that ended).</summary>
    public int? HistoryTimeline { get; init; }

    /// <summary><c>new_leader</c> of the entry before the last one: who led before the last switch.</summary>
    public string? HistoryPreviousLeader { get; init; }

    /// <summary>When the last switch happened (the last entry's timestamp).</summary>
    public DateTimeOffset? HistoryAt { get; init; }

    /// <summary>The members of <c>/cluster</c>, plus former leaders no longer in it that were asked where they were last seen.</summary>
    public IReadOnlyList<MemberObservation> Members { get; init; } = [];

    /// <summary>Patroni's version from <c>/patroni</c> (the lowest one answered), null when none answered.</summary>
    public string? PatroniVersion { get; init; }
}
