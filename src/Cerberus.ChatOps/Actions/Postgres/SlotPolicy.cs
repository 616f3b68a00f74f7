namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>Which replication slots the bot may drop. Pure, so it is unit-tested.</summary>
internal static class SlotPolicy
{
    /// <summary>
    /// Patroni's physical slot name for a member (3.0.x <c>slot_name_from_member_name</c>): lower case, '-' and '.'
    /// become '_', any other character outside [a-z0-9_] becomes u + its 4-digit code, at most 63 characters.
    /// </summary>
    public static string PatroniSlotName(string memberName)
    {
        ArgumentNullException.ThrowIfNull(memberName);
        var sb = new System.Text.StringBuilder();
        foreach (var c in memberName.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            {
                sb.Append(c);
            }
            else if (c is '-' or '.')
            {
                sb.Append('_');
            }
            else
            {
                sb.Append('u').Append(((int)c).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.Length > 63 ? sb.ToString(0, 63) : sb.ToString();
    }

    /// <summary>Why <paramref name="slot"/> may not be dropped, or null when it may (membership known, no Patroni configuration).</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="patroniMembers">The current /cluster member names (Patroni manages their slots).</param>
    /// <param name="allowPatroniSlot">The proposer explicitly asked to drop a Patroni-managed slot.</param>
    public static string? Refusal(ReplicationSlotInfo slot, IEnumerable<string> patroniMembers, bool allowPatroniSlot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(patroniMembers);
        return Refusal(slot, new PatroniSlotView(true, patroniMembers.ToList(), PatroniSlotConfig.Empty).OwnerOf(slot), allowPatroniSlot);
    }

    /// <summary>Why <paramref name="slot"/> may not be dropped given its <paramref name="owner"/>, or null when it may.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="owner">Its owner from <see cref="PatroniSlotView.OwnerOf"/>.</param>
    /// <param name="allowPatroniSlot">The proposer explicitly asked to drop a Patroni-managed member slot.</param>
    public static string? Refusal(ReplicationSlotInfo slot, SlotOwnership owner, bool allowPatroniSlot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(owner);
        if (slot.Active)
        {
            return $"slot {slot.Name} is active (a walsender streams from it); an active slot is never dropped";
        }

        return owner.Kind switch
        {
            SlotOwnerKind.Unknown => owner.Unknown,
            SlotOwnerKind.Member when !allowPatroniSlot =>
                $"slot {slot.Name} is Patroni's slot for the current member {owner.Member}; Patroni recreates it and the member needs its WAL. Pass allow_patroni_slot=true to drop it anyway",
            _ => null,
        };
    }
}
