using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// What Patroni says about slot ownership: the current members (/cluster) and the slot configuration (/config).
/// Null <see cref="Members"/> or <see cref="Config"/> means Patroni is configured but did not answer that question.
/// </summary>
internal sealed record PatroniSlotView(bool PatroniConfigured, IReadOnlyList<string>? Members, PatroniSlotConfig? Config)
{
    /// <summary>No Patroni: slots are nobody's but the server's (a plain PostgreSQL).</summary>
    public static PatroniSlotView WithoutPatroni { get; } = new(false, [], PatroniSlotConfig.Empty);

    /// <summary>Reads /cluster and /config from the first member that answers each.</summary>
    public static async Task<PatroniSlotView> ReadAsync(IPatroniClient patroni, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patroni);
        if (patroni.Members.Count == 0)
        {
            return WithoutPatroni;
        }

        var clusters = await patroni.GetClusterFromAllAsync(cancellationToken);
        var cluster = clusters.FirstOrDefault(x => x.Value is not null)?.Value;
        return new PatroniSlotView(true, cluster?.Members.Select(m => m.Name).ToList(), await ReadConfigAsync(patroni, cancellationToken));
    }

    /// <summary>The slot configuration from the first member whose GET /config answers, or null when none does.</summary>
    public static async Task<PatroniSlotConfig?> ReadConfigAsync(IPatroniClient patroni, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patroni);
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } config)
            {
                return PatroniSlotConfig.From(config);
            }
        }

        return null;
    }

    /// <summary>
    /// Who owns <paramref name="slot"/>. A physical slot is never anybody's but "unknown" while /cluster is unreadable
    /// (a stopped replica's slot looks exactly like a dead one), and no slot is while /config is unreadable (it could
    /// be a permanent slot the next leader re-creates, or an ignore_slots one).
    /// </summary>
    public SlotOwnership OwnerOf(ReplicationSlotInfo slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (!PatroniConfigured)
        {
            return SlotOwnership.Nobody;
        }

        if (Members is null && string.Equals(slot.Type, "physical", StringComparison.Ordinal))
        {
            return new SlotOwnership(SlotOwnerKind.Unknown, Unknown:
                $"Patroni's /cluster could not be read, so the bot cannot tell whether physical slot {slot.Name} belongs to a member (a stopped replica's slot looks like a dead one); no physical slot is dropped until /cluster answers");
        }

        if (Members?.FirstOrDefault(m => string.Equals(SlotPolicy.PatroniSlotName(m), slot.Name, StringComparison.Ordinal)) is { } member)
        {
            return new SlotOwnership(SlotOwnerKind.Member, Member: member);
        }

        if (Config is null)
        {
            return new SlotOwnership(SlotOwnerKind.Unknown, Unknown:
                $"Patroni's /config could not be read, so the bot cannot tell whether {slot.Name} is a permanent slot (the next leader re-creates it) or matches ignore_slots (a consumer outside Patroni owns it)");
        }

        if (Config.FindPermanent(slot.Name) is { } permanent)
        {
            return new SlotOwnership(SlotOwnerKind.Permanent, Permanent: permanent);
        }

        return Config.FindIgnore(slot) is { } rule ? new SlotOwnership(SlotOwnerKind.Ignored, Ignore: rule) : SlotOwnership.Nobody;
    }

    /// <summary>One sentence for the card's basis.</summary>
    public string Note()
    {
        if (!PatroniConfigured)
        {
            return string.Empty;
        }

        var members = Members is null
            ? " Patroni's /cluster did not answer, so the slots Patroni manages for members could not be recognised (no physical slot is proposed for a drop)."
            : $" Patroni members (their slots are Patroni's): {string.Join(", ", Members)}.";
        if (Config is null)
        {
            return members + " Patroni's /config did not answer, so permanent and ignore_slots slots could not be recognised.";
        }

        var permanent = Config.Permanent.Count == 0 ? "none" : string.Join(", ", Config.Permanent.Keys);
        var ignore = Config.Ignore.Count == 0 ? "none" : string.Join(", ", Config.Ignore);
        var problems = Config.Problems.Count == 0 ? string.Empty : $" Configuration entries Patroni skips: {string.Join("; ", Config.Problems)}.";
        return members + $" Permanent slots in /config: {permanent}; ignore_slots: {ignore}.{problems}";
    }
}
