using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// <c>GET /cluster</c>: the cluster as the DCS sees it, served by any member, and the one rule for who leads that the
/// diagnostics and the actions share. In Patroni 3.0.2 every answer is a fresh read of the DCS (api.py
/// <c>do_GET_cluster</c>: <c>dcs.get_cluster(True)</c>), and <c>utils.py</c> <c>cluster_as_json</c> gives the role
/// <c>leader</c> (<c>standby_leader</c> in a standby cluster) to the one member the leader key names; the others are
/// <c>sync_standby</c> or <c>replica</c>.
/// </summary>
internal sealed record PatroniCluster
{
    [JsonPropertyName("members")] public List<PatroniMember> Members { get; init; } = [];

    [JsonPropertyName("pause")] public bool? Pause { get; init; }

    [JsonPropertyName("scheduled_switchover")] public Dictionary<string, object>? ScheduledSwitchover { get; init; }

    /// <summary>The members with a leader role: one, or none while no member holds the leader key.</summary>
    [JsonIgnore] public IReadOnlyList<PatroniMember> Leaders => Members.Where(m => m.IsLeader).ToList();

    /// <summary>
    /// The leader, when exactly one member has the role. Null with none, and with several: Patroni writes one per
    /// answer, so an answer with two is not believed about either.
    /// </summary>
    [JsonIgnore] public PatroniMember? Leader => Leaders is [var only] ? only : null;

    [JsonIgnore] public IEnumerable<PatroniMember> Replicas => Members.Where(m => !m.IsLeader);

    /// <summary>Who leads in this answer, to compare answers: <c>pg1</c>, empty for none (<c>pg1+pg2</c> if several).</summary>
    [JsonIgnore] public string LeaderKey => string.Join("+", Leaders.Select(m => m.Name).Order(StringComparer.Ordinal));

    /// <summary>
    /// The answer to believe among every member's: one from the largest group of members that agree on who leads.
    /// Each answer is a fresh DCS read, so a minority that disagrees is a member whose DCS endpoint is behind or cut
    /// off, or a read that crossed a change; it must not outvote the rest. A tie (always the case when the two
    /// members of a two-member cluster disagree) goes to an answer that names one running leader (a leader key that
    /// exists beats a view that lost it), then to the first member's. Null when no member answered.
    /// </summary>
    public static PatroniCluster? Believed(IEnumerable<PatroniAnswer<PatroniCluster>> answers) =>
        answers
            .Where(a => a.Value is not null)
            .GroupBy(a => a.Value!.LeaderKey, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.First().Value!.Leader is { IsRunning: true })
            .Select(g => g.First().Value)
            .FirstOrDefault();
}
