namespace Cerberus.ChatOps.Diagnostics.Patroni;

/// <summary>
/// Read-only: the fields of <c>GET /patroni</c> that <see cref="Cerberus.ChatOps.Patroni.PatroniNodeStatus"/> does not
/// carry (<c>database_system_identifier</c>, <c>patroni.scope</c>), bounded by the Patroni request timeout.
/// </summary>
internal interface IPatroniIdentityClient
{
    /// <summary>The member's identity, or null when it did not answer in time or answered without one.</summary>
    Task<PatroniIdentity?> GetIdentityAsync(Uri member, CancellationToken cancellationToken);
}
