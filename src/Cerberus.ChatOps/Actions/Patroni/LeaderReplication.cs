namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// What the leader's PostgreSQL says about its standbys, read on the leader itself (the host and port /cluster
/// reports): who streams (<c>pg_stat_replication</c>), which slots exist, and how much a full copy moves (the sum of
/// <c>pg_database_size</c>). <see cref="Error"/> is set when none of it could be read.
/// </summary>
/// <param name="DatabaseBytes">Null when unknown (see <see cref="DatabaseSizeError"/>).</param>
internal sealed record LeaderReplication(
    IReadOnlyList<StandbyConnection> Standbys,
    IReadOnlyList<LeaderSlot> Slots,
    long? DatabaseBytes,
    string? DatabaseSizeError,
    string? Error = null)
{
    public static LeaderReplication Unreadable(string error) => new([], [], null, error, error);

    public bool Readable => Error is null;

    /// <summary>The member's streaming connection, if it has one.</summary>
    public StandbyConnection? StreamingFrom(string member) =>
        Standbys.FirstOrDefault(s => string.Equals(s.ApplicationName, member, StringComparison.Ordinal) && s.State == "streaming");

    public StandbyConnection? ConnectionOf(string member) =>
        Standbys.FirstOrDefault(s => string.Equals(s.ApplicationName, member, StringComparison.Ordinal));

    public LeaderSlot? Slot(string name) =>
        Slots.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
