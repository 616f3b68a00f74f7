using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// One replica judged for a rebuild (<see cref="ReinitPlanner.Judge"/>): why it needs one (<see cref="Reasons"/>, codes
/// from <see cref="ReinitPlanner"/>), what was seen (<see cref="Findings"/>, sentences for the card), whether Patroni is
/// already working on it, and whether its stream could be checked at all.
/// </summary>
internal sealed record ReplicaCondition(
    PatroniMember Member,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Findings,
    bool InProgress,
    bool StreamingUnknown)
{
    public string Name => Member.Name;

    /// <summary>It cannot serve as a standby as it is: not running, not streaming, lost slot, another timeline. A missing slot alone is not enough (the leader re-creates member slots).</summary>
    public bool Broken => !InProgress && Reasons.Any(r => r != ReinitPlanner.SlotMissing);

    /// <summary>Running on the leader's timeline and seen streaming (or cascading): a working standby.</summary>
    public bool Healthy => !Broken && !InProgress && !StreamingUnknown && Member.IsRunning;

    public string Describe() => $"{Name} ({Member.Role}): {string.Join("; ", Findings)}";
}
