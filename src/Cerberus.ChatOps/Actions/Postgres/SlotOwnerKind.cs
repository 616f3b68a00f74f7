namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>Who owns a replication slot, as far as Patroni's /cluster and /config tell.</summary>
internal enum SlotOwnerKind
{
    /// <summary>Nobody Patroni knows of (or Patroni is not configured): Patroni 3.0.2 would drop it itself unless paused.</summary>
    None,

    /// <summary>Patroni's slot for a current member (<c>slot_name_from_member_name</c>).</summary>
    Member,

    /// <summary>A permanent slot of the dynamic configuration: the leader re-creates it after a SQL drop.</summary>
    Permanent,

    /// <summary>Matches an <c>ignore_slots</c> entry: a consumer outside Patroni owns it.</summary>
    Ignored,

    /// <summary>Patroni is configured but /cluster or /config could not be read: ownership is unknown.</summary>
    Unknown,
}
