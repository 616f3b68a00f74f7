namespace Cerberus.ChatOps.Diagnostics.Patroni;

/// <summary>
/// A member's <c>/patroni</c> identity: <c>database_system_identifier</c> (Patroni 3.0.2 <c>api.py</c>
/// <c>_write_status_response</c>: <c>postgresql.sysid</c>, from pg_controldata, sent even when PostgreSQL does not
/// answer), the role it reports (<c>master</c> when its PostgreSQL is not in recovery) and its scope.
/// </summary>
internal sealed record PatroniIdentity(Uri Member, string? SystemIdentifier, string? Role, string? Scope);
