namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// What one server says it is: a standby or not (<c>pg_is_in_recovery()</c>) and which cluster it belongs to
/// (<c>pg_control_system().system_identifier</c>), with <c>pg_postmaster_start_time()</c> to tell one server from
/// another of the same cluster (a Service name and a pod IP may be the same server), or why it could not tell.
/// </summary>
internal sealed record ServerIdentity(bool? InRecovery, string? SystemIdentifier, string? PostmasterStart, string? Error)
{
    public bool Answered => Error is null && InRecovery is not null;

    public static ServerIdentity Failed(string error) => new(null, null, null, error);

    /// <summary>The same server: same cluster and the same postmaster start (to the microsecond).</summary>
    public bool SameServerAs(string? systemIdentifier, string? postmasterStart) =>
        SystemIdentifier is not null && PostmasterStart is not null
        && string.Equals(SystemIdentifier, systemIdentifier, StringComparison.Ordinal)
        && string.Equals(PostmasterStart, postmasterStart, StringComparison.Ordinal);
}
