using System.Globalization;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// The leader watch of one incident: from the first leader change it sees (the bot's own switchover or failover, a
/// change in <c>/cluster</c>, or a switch in <c>/history</c> younger than the recent-failover window when the watch
/// first looks) until the incident is closed, it compares every look at the cluster with the last one and raises, once
/// each: a flip-back (a former leader holds the leader key again, or the key holder runs on a timeline behind
/// <c>/history</c>'s newest: the stale primary of Patroni before 3.1.0 took the lock back), a stale primary (a member
/// other than the key holder answers as a primary), and a member back as a replica after such an alarm.
/// Persisted with the incident; immutable (every change is a new instance, so "nothing changed" is the same instance).
/// </summary>
public sealed record LeaderWatch
{
    /// <summary>When the watch started (the first leader change seen); null while it only holds the baseline.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The key holder at the last look.</summary>
    public string? Leader { get; init; }

    /// <summary>The key holder's timeline at the last look.</summary>
    public int? Timeline { get; init; }

    /// <summary>The newest timeline <c>/history</c> ever showed during the watch (it can be rewritten backwards by a stale primary).</summary>
    public int? HistoryTimeline { get; init; }

    /// <summary>Members that held the leader key before, in the order they lost it.</summary>
    public List<string> FormerLeaders { get; init; } = [];

    /// <summary>Where each former leader (and the key holder) was last seen in <c>/cluster</c>.</summary>
    public Dictionary<string, MemberAddress> Addresses { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Everything posted so far, oldest first.</summary>
    public List<LeaderWatchEvent> Events { get; init; } = [];

    public bool IsWatching => StartedAt is not null;

    /// <summary>The latest flip-back or stale primary, if any.</summary>
    public LeaderWatchEvent? LastAlarm => Events.LastOrDefault(e => e.IsAlarm);

    /// <summary>
    /// Compares one look at the cluster with the watch. Returns this same instance when nothing changed; otherwise the
    /// next state, with the events to post in <paramref name="events"/> (never one whose key was posted before).
    /// </summary>
    /// <param name="observation">The look.</param>
    /// <param name="ownFormerLeaders">The old leaders of the bot's own promotions (they start the watch like a change seen).</param>
    /// <param name="at">Now.</param>
    /// <param name="recentSwitch">On the first look, a <c>/history</c> switch this young counts as a change seen.</param>
    /// <param name="events">What to post.</param>
    public LeaderWatch Observe(
        LeaderObservation observation,
        IReadOnlyCollection<string> ownFormerLeaders,
        DateTimeOffset at,
        TimeSpan recentSwitch,
        out IReadOnlyList<LeaderWatchEvent> events)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(ownFormerLeaders);
        var found = new List<LeaderWatchEvent>();
        events = found;
        if (observation.Leader is not { Length: > 0 } leader)
        {
            // No key holder: nobody to compare with (the diagnostics report a leaderless cluster).
            return this;
        }

        var timeline = observation.LeaderTimeline;
        var history = Max(HistoryTimeline, observation.HistoryTimeline);
        var former = new List<string>(FormerLeaders);
        var started = StartedAt;
        string? from = null;
        var origin = "seen in /cluster";
        if (Leader is null)
        {
            if (observation.HistoryPreviousLeader is { Length: > 0 } previous && !Same(previous, leader)
                && observation.HistoryAt is { } switched && at - switched <= recentSwitch)
            {
                from = previous;
                origin = $"/history: timeline {Text(observation.HistoryTimeline)} began {switched.ToUniversalTime():HH:mm:ss} UTC";
            }
        }
        else if (!Same(Leader, leader))
        {
            from = Leader;
        }

        foreach (var own in ownFormerLeaders.Where(o => !Same(o, leader) && !former.Contains(o, StringComparer.Ordinal)))
        {
            former.Add(own);
            if (from is null)
            {
                from = own;
                origin = "the bot's own promotion";
            }
        }

        var wasFormer = former.Contains(leader, StringComparer.Ordinal);
        var behind = timeline is { } lt && history is { } ht && lt < ht;
        var behindText = behind
            ? $", on timeline {Text(timeline)}, behind /history's timeline {Text(history)}: it did not promote, it took the lock back while still a primary on its old timeline"
            : string.Empty;
        if (from is not null)
        {
            if (!former.Contains(from, StringComparer.Ordinal))
            {
                former.Add(from);
            }

            if (wasFormer)
            {
                Add(LeaderWatchEventKind.FlipBack, FlipBackKey(leader, timeline), leader,
                    $"flip-back: {leader}, a former leader, holds the leader key again (from {from}){behindText}; writes {from} took while it led may be gone from the cluster");
            }
            else
            {
                Add(LeaderWatchEventKind.LeaderChanged, $"change:{leader}:{Text(timeline)}", from,
                    $"leader change {from} → {leader} (timeline {Text(timeline)}; {origin}); watching /cluster and /history for a flip-back or a stale primary for the rest of the incident");
            }

            started ??= at;
        }

        if (behind)
        {
            // The same key as a flip-back of this leader on this timeline: said once, whichever way it was seen.
            Add(LeaderWatchEventKind.FlipBack, FlipBackKey(leader, timeline), leader,
                $"{leader} holds the leader key{behindText}; the members promoted since may have lost their writes");
            started ??= at;
        }

        if (started is not null)
        {
            foreach (var member in observation.Members.Where(m => !Same(m.Name, leader)))
            {
                if (member.PrimaryEvidence is { } evidence)
                {
                    var who = former.Contains(member.Name, StringComparer.Ordinal) ? $"{member.Name}, a former leader," : member.Name;
                    Add(LeaderWatchEventKind.StalePrimary, $"stale:{member.Name}:{leader}:{Text(timeline)}", member.Name,
                        $"stale primary: {who} still runs as a primary ({evidence}) while {leader} holds the leader key (timeline {Text(timeline)}): two servers may take writes");
                }
                else if (member.IsReplicaOn(timeline) && AlarmsAbout(member.Name, found) is var alarms and > 0
                         && !RejoinedSinceLastAlarm(member.Name, found))
                {
                    Add(LeaderWatchEventKind.Rejoined, $"rejoined:{member.Name}:{Text(timeline)}:{alarms}", member.Name,
                        $"{member.Name} is back as a replica of {leader} on timeline {Text(timeline)}");
                }
            }
        }

        var addresses = new Dictionary<string, MemberAddress>(Addresses, StringComparer.Ordinal);
        var moved = false;
        // The key holder's address too: when it loses the key with its Patroni dead, its member key expires with the
        // lease (ttl), and the address is all that is left to ask its PostgreSQL whether it still takes writes.
        foreach (var member in observation.Members.Where(m => m.Address is not null && m.ClusterRole is not null
                                                              && (former.Contains(m.Name, StringComparer.Ordinal) || Same(m.Name, leader))))
        {
            if (!addresses.TryGetValue(member.Name, out var known) || known != member.Address)
            {
                addresses[member.Name] = member.Address!;
                moved = true;
            }
        }

        var changed = found.Count > 0 || moved || started != StartedAt || !Same(Leader, leader) || Timeline != timeline
                      || HistoryTimeline != history || !former.SequenceEqual(FormerLeaders, StringComparer.Ordinal);
        if (!changed)
        {
            return this;
        }

        return this with
        {
            StartedAt = started,
            Leader = leader,
            Timeline = timeline,
            HistoryTimeline = history,
            FormerLeaders = former,
            Addresses = addresses,
            Events = [.. Events, .. found],
        };

        void Add(LeaderWatchEventKind kind, string key, string member, string text)
        {
            if (Events.Any(e => string.Equals(e.Key, key, StringComparison.Ordinal)) || found.Any(e => string.Equals(e.Key, key, StringComparison.Ordinal)))
            {
                return;
            }

            found.Add(new LeaderWatchEvent(at, kind, key, leader, timeline, member, text, observation.PatroniVersion));
        }
    }

    /// <summary>The alarms (flip-back while it held the key, stale primary) about <paramref name="member"/> so far.</summary>
    private int AlarmsAbout(string member, List<LeaderWatchEvent> found) =>
        Events.Concat(found).Count(e => e.IsAlarm && Same(e.Member, member));

    private bool RejoinedSinceLastAlarm(string member, List<LeaderWatchEvent> found)
    {
        var all = Events.Concat(found).Where(e => Same(e.Member, member)).ToList();
        var lastAlarm = all.FindLastIndex(e => e.IsAlarm);
        return all.FindLastIndex(e => e.Kind == LeaderWatchEventKind.Rejoined) > lastAlarm;
    }

    private static string FlipBackKey(string leader, int? timeline) => $"flip-back:{leader}:{Text(timeline)}";

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);

    private static int? Max(int? a, int? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
}
