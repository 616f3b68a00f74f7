namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// What the DCS says about the leader's last WAL position (Patroni's <c>cluster.last_lsn</c>, written by the leader
/// once per HA loop), measured through each replica's <c>GET /replica?lag=N</c> health check: Patroni answers 503
/// when that optime is more than N bytes ahead of the replica's replayed position (api.py <c>do_GET</c>, 3.0.2).
/// </summary>
/// <param name="AtLeast">A lower bound of the DCS optime (the replayed position read before the search, plus the
/// largest N that still answered 503, plus one); null when no replica showed a gap.</param>
/// <param name="CaughtUp">Members whose replayed position already reaches the DCS optime (<c>lag=0</c> answered 200).</param>
/// <param name="Measured">Members the search could be run on (a running replica whose plain <c>/replica</c> answered 200).</param>
internal sealed record DcsOptime(long? AtLeast, IReadOnlySet<string> CaughtUp, IReadOnlySet<string> Measured)
{
    public static DcsOptime None { get; } = new(null, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    /// <summary>
    /// The committed WAL promoting <paramref name="member"/> loses at the least: 0 when it has everything the DCS
    /// recorded, DCS optime − received when a gap was measured, null when nothing was measured.
    /// </summary>
    public long? LossAtLeast(string member, long? received)
    {
        if (CaughtUp.Contains(member))
        {
            return 0;
        }

        return AtLeast is { } optime && received is { } r ? Math.Max(0, optime - r) : null;
    }
}
