namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// What a promotion's approval covers, compared before every POST: the mode (switchover or failover), the
/// fingerprint (leader, leader health, timeline, the candidate's state and lag bucket) and the risks the approver
/// accepted (over maximum_lag_on_failover, over the RPO, unknown lag).
/// </summary>
/// <param name="Mode">"switchover" or "failover".</param>
/// <param name="Fingerprint"><see cref="FailoverPlanner.Fingerprint"/>.</param>
/// <param name="Risks"><see cref="FailoverPlanner.RiskFlags"/>; null when not recorded (an older approval: any risk was accepted).</param>
internal sealed record PromotionState(string Mode, string Fingerprint, IReadOnlySet<string>? Risks)
{
    public const string NoRisk = "none";

    /// <summary>The risks as recorded in the action's parameters: "none" or flags joined by '+'.</summary>
    public string RiskText => Risks is null ? "accepted" : Risks.Count == 0 ? NoRisk : string.Join('+', Risks.Order(StringComparer.Ordinal));

    public string Text => $"{Mode}; {Fingerprint}; risk={RiskText}";

    public static IReadOnlySet<string>? ParseRisks(string? text) =>
        text is null ? null
        : string.Equals(text, NoRisk, StringComparison.Ordinal) ? new HashSet<string>(StringComparer.Ordinal)
        : text.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="live"/> is what this approval was given for: the same mode and fingerprint, and no
    /// risk the approver did not accept (a smaller risk is fine; a larger or a new one is not).
    /// </summary>
    public bool Covers(PromotionState live)
    {
        ArgumentNullException.ThrowIfNull(live);
        return string.Equals(Mode, live.Mode, StringComparison.Ordinal)
               && string.Equals(Fingerprint, live.Fingerprint, StringComparison.Ordinal)
               && (Risks is null || live.Risks is null || live.Risks.IsSubsetOf(Risks));
    }
}
