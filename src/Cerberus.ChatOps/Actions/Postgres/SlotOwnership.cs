namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>The owner of one slot and the evidence for it; <see cref="Fingerprint"/> goes into the approved state.</summary>
internal sealed record SlotOwnership(SlotOwnerKind Kind, string? Member = null, PermanentSlot? Permanent = null, IgnoreSlotsRule? Ignore = null, string? Unknown = null)
{
    public static SlotOwnership Nobody { get; } = new(SlotOwnerKind.None);

    public string Fingerprint => Kind switch
    {
        SlotOwnerKind.Member => $"owner=member:{Member}",
        SlotOwnerKind.Permanent => $"owner=permanent:{Permanent!.Key}",
        SlotOwnerKind.Ignored => $"owner=ignore_slots:{Ignore}",
        SlotOwnerKind.Unknown => "owner=unknown",
        _ => "owner=none",
    };

    /// <summary>The risk the approver accepts for this owner, or null when there is none beyond the slot type.</summary>
    public string? Risk(ReplicationSlotInfo slot) => Kind switch
    {
        SlotOwnerKind.Member =>
            $"{slot.Name} is Patroni's slot for a current member: after the drop that replica may miss WAL it still needs and require a reinit (patronictl reinit).",
        SlotOwnerKind.Permanent =>
            $"{slot.Name} is a permanent slot in Patroni's dynamic configuration ({Permanent}): an operator declared it for a consumer outside the member list " +
            "(pg_receivewal, a backup tool, CDC, a standby cluster). It is removed from the configuration first (PATCH /config), because a SQL drop alone is undone by the next leader; " +
            "that consumer loses its position and must be re-seeded.",
        SlotOwnerKind.Ignored =>
            $"slot {slot.Name} matches ignore_slots {Ignore}: it belongs to a consumer outside Patroni (backup, CDC, pg_receivewal); dropping it breaks that consumer.",
        _ => null,
    };
}
