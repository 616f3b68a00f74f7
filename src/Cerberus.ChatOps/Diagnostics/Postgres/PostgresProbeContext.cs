namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// What one database probe looks at: the server it connected to (<see cref="Target"/>, host:port), whether that is
/// Patroni's leader or the configured target, and the resolution behind the choice.
/// </summary>
internal sealed record PostgresProbeContext(PostgresEndpoint? Endpoint, string Target, PrimaryResolution Resolution)
{
    /// <summary>The probes connected to Patroni's leader (resolved from /cluster), not to the configured host.</summary>
    public bool OnLeader => Endpoint is not null;
}
