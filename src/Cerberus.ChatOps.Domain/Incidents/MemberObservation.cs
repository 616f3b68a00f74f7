namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>One member as the leader watch saw it in one pass.</summary>
/// <param name="Name">The Patroni member name.</param>
/// <param name="ClusterRole">Its role in <c>/cluster</c> (<c>leader</c>, <c>replica</c>, <c>sync_standby</c>; older or other versions may say <c>master</c>/<c>primary</c>); null when it is not in <c>/cluster</c>.</param>
/// <param name="State">Its state in <c>/cluster</c> (<c>running</c>, <c>streaming</c>, <c>stopped</c>...), null when absent.</param>
/// <param name="Timeline">Its timeline in <c>/cluster</c> (or from its own <c>/patroni</c>).</param>
/// <param name="ReportedRole">The role its own <c>/patroni</c> answers (<c>master</c>/<c>primary</c> or <c>replica</c>); null when it did not answer.</param>
/// <param name="ReportedState">The state its own <c>/patroni</c> answers. Only with <c>running</c> is the role PostgreSQL's own
/// (3.0.2 <c>api.py</c> <c>get_postgresql_status</c> queries it; when PostgreSQL is stopped, stopping or not answering it
/// sends Patroni's internal role instead, which still says <c>master</c> on a leader that is shutting down for a switchover).</param>
/// <param name="InRecovery">Its PostgreSQL's <c>pg_is_in_recovery()</c>, asked only when <c>/patroni</c> did not answer a running state; null = not asked or no answer.</param>
/// <param name="Address">Where it was seen.</param>
public sealed record MemberObservation(
    string Name,
    string? ClusterRole,
    string? State,
    int? Timeline,
    string? ReportedRole,
    string? ReportedState,
    bool? InRecovery,
    MemberAddress? Address)
{
    /// <summary>Why this member counts as a primary (its own words), or null when nothing says so.</summary>
    public string? PrimaryEvidence =>
        ReportedRole is "master" or "primary" && ReportedState == "running" ? $"its /patroni answers role {ReportedRole}"
        : ClusterRole is "master" or "primary" ? $"/cluster lists it with role {ClusterRole}"
        : InRecovery == false ? $"its PostgreSQL{(Address is { Host: { } h, Port: { } p } ? $" at {h}:{p}" : string.Empty)} answers pg_is_in_recovery() = false"
        : null;

    /// <summary>A running replica of the leader's timeline, by its own <c>/patroni</c> (or by PostgreSQL when that did not answer).</summary>
    public bool IsReplicaOn(int? leaderTimeline) =>
        PrimaryEvidence is null && State is "running" or "streaming" && ClusterRole is not null
        && ((ReportedRole == "replica" && ReportedState == "running") || InRecovery == true) && leaderTimeline is not null && Timeline == leaderTimeline;

    /// <summary>Whether its own <c>/patroni</c> said what PostgreSQL is (a running state); otherwise PostgreSQL is asked.</summary>
    public bool ReportedByPostgres => ReportedRole is not null && ReportedState == "running";
}
