namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>Facts of the Patroni probe about Patroni's own reach to its DCS (etcd), read by the classifier.</summary>
public static class DcsFactKeys
{
    /// <summary>"true" when Patroni itself cannot reach the DCS (stale dcs_last_seen everywhere, failsafe, no /cluster).</summary>
    public const string Unreachable = "dcs_unreachable";

    /// <summary>Seconds since the freshest answering member last read the DCS (its /patroni dcs_last_seen).</summary>
    public const string LastSeenAgeSeconds = "dcs_last_seen_age_s";

    /// <summary>Members whose /patroni reports failsafe_mode_is_active (comma-separated).</summary>
    public const string FailsafeMembers = "dcs_failsafe_members";

    /// <summary>Members whose own /patroni says they run as primary (comma-separated).</summary>
    public const string PrimaryMembers = "dcs_primary_members";

    /// <summary>"true" when no member answered /cluster.</summary>
    public const string ClusterUnanswered = "dcs_cluster_unanswered";
}
