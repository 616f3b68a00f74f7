using System.Globalization;
using System.Text.Json;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// The rules of the replica rebuild, pure: which replica needs one and why, which refuses, and the fingerprint the
/// approval binds to. Member names, slots and states as Patroni 3.0.2 writes them (<c>dcs/__init__.py</c>
/// <c>get_replication_slots</c>, <c>slot_name_from_member_name</c>; <c>postgresql/*.py</c> <c>set_state</c>).
/// </summary>
internal static class ReinitPlanner
{
    /// <summary>Reason: PostgreSQL on the member is not running (stopped, crashed, start failed, …).</summary>
    public const string NotRunning = "not_running";

    /// <summary>Reason: the member is on another timeline than the leader.</summary>
    public const string OtherTimeline = "other_timeline";

    /// <summary>Reason: the leader's pg_stat_replication has no streaming row for the member.</summary>
    public const string NotStreaming = "not_streaming";

    /// <summary>Finding (not enough alone): the leader has no slot for the member although use_slots is on.</summary>
    public const string SlotMissing = "slot_missing";

    /// <summary>Reason: the member's slot on the leader is lost (wal_status lost): the WAL it needs is gone.</summary>
    public const string SlotLost = "slot_lost";

    /// <summary>States in which Patroni is already stopping, starting or cloning the member: nothing is proposed over them.</summary>
    private static readonly HashSet<string> Transitional = new(StringComparer.Ordinal)
    {
        "creating replica", "stopping", "starting", "restarting", "initializing new cluster", "running custom bootstrap script",
    };

    /// <summary>Whether Patroni is busy with the member (its state is one of the transitional ones).</summary>
    public static bool IsTransitional(string? state) => state is not null && Transitional.Contains(state);

    /// <summary>
    /// The member another member streams from instead of the leader: its <c>replicatefrom</c> tag, when that names a
    /// current member other than the leader (Patroni 3.0.2 then keeps its slot there, not on the leader).
    /// </summary>
    public static string? Upstream(PatroniMember member, PatroniCluster cluster, PatroniMember leader)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(leader);
        var from = Tag(member, "replicatefrom");
        return from is not null && !string.Equals(from, leader.Name, StringComparison.Ordinal)
                                && cluster.Members.Any(m => string.Equals(m.Name, from, StringComparison.Ordinal))
            ? from
            : null;
    }

    public static ReplicaCondition Judge(PatroniMember member, PatroniCluster cluster, PatroniMember leader, LeaderReplication replication, bool useSlots)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(replication);
        var reasons = new List<string>();
        var findings = new List<string>();
        var inProgress = IsTransitional(member.State);
        var state = string.IsNullOrEmpty(member.State) ? "state unknown" : member.State;
        findings.Add($"{state}, timeline {(member.Timeline is { } t ? t.ToString(CultureInfo.InvariantCulture) : "unknown")}, lag {(member.LagBytes is { } lag ? ByteSize.Format(lag) : "unknown")}");
        if (inProgress)
        {
            findings.Add($"Patroni is already working on it ({member.State})");
        }
        else if (!member.IsRunning)
        {
            reasons.Add(NotRunning);
            findings.Add($"PostgreSQL is not running ({state})");
        }

        if (member.Timeline is { } timeline && leader.Timeline is { } leaderTimeline && timeline != leaderTimeline)
        {
            reasons.Add(OtherTimeline);
            findings.Add($"on timeline {timeline}, the leader's is {leaderTimeline}");
        }

        var streamingUnknown = false;
        if (Upstream(member, cluster, leader) is { } upstream)
        {
            findings.Add($"it streams from {upstream} (tag replicatefrom), so its stream and slot are there, not on the leader: not checked");
        }
        else if (!replication.Readable)
        {
            streamingUnknown = true;
            findings.Add($"whether it streams is unknown ({replication.Error})");
        }
        else
        {
            var connection = replication.ConnectionOf(member.Name);
            if (replication.StreamingFrom(member.Name) is { } streaming)
            {
                findings.Add($"streaming ({streaming.SyncState}) in pg_stat_replication on {leader.Name}, replay {(streaming.ReplayLagBytes is { } b ? ByteSize.Format(b) : "lag unknown")} behind");
            }
            else
            {
                reasons.Add(NotStreaming);
                findings.Add(connection is null
                    ? $"not streaming: pg_stat_replication on {leader.Name} has no connection with application_name {member.Name}"
                    : $"not streaming: its connection on {leader.Name} is {connection.State}");
            }

            if (useSlots)
            {
                var name = SlotPolicy.PatroniSlotName(member.Name);
                switch (replication.Slot(name))
                {
                    case null:
                        reasons.Add(SlotMissing);
                        findings.Add($"its slot {name} is missing on {leader.Name}");
                        break;
                    case { WalStatus: "lost" }:
                        reasons.Add(SlotLost);
                        findings.Add($"its slot {name} on {leader.Name} is lost (wal_status lost): the WAL it needs is gone");
                        break;
                    case var slot:
                        findings.Add($"its slot {name} exists ({(slot.Active ? "active" : "inactive")}, wal_status {(slot.WalStatus.Length == 0 ? "?" : slot.WalStatus)})");
                        break;
                }
            }
        }

        return new ReplicaCondition(member, reasons, findings, inProgress, streamingUnknown);
    }

    /// <summary>
    /// What the approval binds to: the leader, its health and timeline, and the target's role and whether it still
    /// needs the rebuild. Deliberately not the lag or the exact reasons, which move while nothing changes in kind.
    /// </summary>
    public static string Fingerprint(ReinitPlan plan, string target)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var member = plan.Cluster.Members.FirstOrDefault(m => string.Equals(m.Name, target, StringComparison.Ordinal));
        var condition = plan.Find(target);
        var role = member is null ? "absent" : member.IsLeader ? "leader" : "replica";
        var needs = condition is null ? "n/a" : condition.InProgress ? "in_progress" : condition.Broken ? "rebuild" : "healthy";
        return string.Create(CultureInfo.InvariantCulture,
            $"leader={plan.Leader.Name};leader_healthy={plan.LeaderHealthy};timeline={plan.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "?"};member={target};role={role};needs={needs}");
    }

    /// <summary>The running members tagged <c>clonefrom</c> (other than the target and the leader): Patroni 3.0.2 clones from one of them at random instead of the leader (<c>Cluster.get_clone_member</c>).</summary>
    public static IReadOnlyList<string> CloneSources(PatroniCluster cluster, string target, string leader)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.Members
            .Where(m => m.IsRunning && !string.Equals(m.Name, target, StringComparison.Ordinal) && !string.Equals(m.Name, leader, StringComparison.Ordinal)
                        && m.Tags is not null && m.Tags.TryGetValue("clonefrom", out var v) && Truthy(v))
            .Select(m => m.Name)
            .ToList();
    }

    private static string? Tag(PatroniMember member, string name) =>
        member.Tags is not null && member.Tags.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Python's truthiness, as 3.0.2 reads the tag (<c>Member.clonefrom</c>: <c>tags.get('clonefrom', False)</c>).</summary>
    private static bool Truthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => value.GetString() is { Length: > 0 },
        JsonValueKind.Number => value.TryGetDouble(out var n) && n != 0,
        _ => false,
    };
}
