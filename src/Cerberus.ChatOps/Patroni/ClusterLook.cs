using System.Globalization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// One look at the cluster, for the leader watch and the fence action: the believed <c>/cluster</c> answer, one
/// <c>/history</c>, and each member's own <c>/patroni</c> (by member name; null = no answer).
/// </summary>
/// <param name="Cluster">The believed <c>/cluster</c> (<see cref="PatroniCluster.Believed"/>), null when no member answered.</param>
/// <param name="Error">Why there is no <see cref="Cluster"/>.</param>
/// <param name="History">The entries of <c>/history</c>, null when none answered.</param>
/// <param name="Statuses">Every asked member's <c>/patroni</c> by name (the <c>/cluster</c> members, plus the extra ones asked for).</param>
internal sealed record ClusterLook(
    PatroniCluster? Cluster,
    string? Error,
    IReadOnlyList<PatroniHistoryEntry>? History,
    IReadOnlyDictionary<string, PatroniNodeStatus?> Statuses)
{
    public PatroniMember? Leader => Cluster?.Leader;

    /// <summary>The key holder runs, and its own <c>/patroni</c> answers a running primary: a leader that takes writes.</summary>
    public bool LeaderHealthy =>
        Leader is { IsRunning: true } leader && Status(leader.Name) is { State: "running", IsPrimary: true };

    /// <summary>
    /// The key holder's timeline: its own <c>/patroni</c> (read from PostgreSQL on every request) before <c>/cluster</c>'s
    /// (its member key, written once per loop: right after a promotion it still shows the old timeline).
    /// </summary>
    public int? LeaderTimeline => Leader is { } l ? Status(l.Name)?.Timeline ?? l.Timeline : null;

    /// <summary>A member's timeline, the same way: its own <c>/patroni</c> first, then <c>/cluster</c>.</summary>
    public int? TimelineOf(string member) => Status(member)?.Timeline ?? Member(member)?.Timeline;

    /// <summary>The newest timeline by <c>/history</c>: each entry names the timeline that ended, so the last one + 1.</summary>
    public int? HistoryTimeline => History is { Count: > 0 } h ? h[^1].Timeline + 1 : null;

    /// <summary>Who led before the last switch: <c>new_leader</c> of the entry before the last.</summary>
    public string? HistoryPreviousLeader => History is { Count: >= 2 } h && h[^2].NewLeader is { Length: > 0 } name ? name : null;

    /// <summary>When the last switch happened.</summary>
    public DateTimeOffset? HistoryAt =>
        History is { Count: > 0 } h && DateTimeOffset.TryParse(h[^1].Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>Patroni's version, the lowest any member's <c>/patroni</c> reported; null when none did.</summary>
    public string? PatroniVersion =>
        Statuses.Values
            .Select(s => s?.Patroni is { } p && p.TryGetValue("version", out var v) ? v : null)
            .OfType<string>()
            .OrderBy(v => PatroniVersions.Parse(v) ?? new Version(0, 0))
            .FirstOrDefault();

    public PatroniNodeStatus? Status(string member) => Statuses.GetValueOrDefault(member);

    public PatroniMember? Member(string name) =>
        Cluster?.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The member names this look knows: <c>/cluster</c>'s and <c>/history</c>'s leaders.</summary>
    public IReadOnlyList<string> KnownNames =>
        (Cluster?.Members.Select(m => m.Name) ?? [])
            .Concat(History?.Select(h => h.NewLeader).OfType<string>() ?? [])
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The root of a member's REST API from its <c>api_url</c> (<c>http://h:8008/patroni</c> → <c>http://h:8008/</c>).</summary>
    public static Uri? ApiRoot(string? apiUrl) =>
        Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? new Uri(uri, "/") : null;
}
