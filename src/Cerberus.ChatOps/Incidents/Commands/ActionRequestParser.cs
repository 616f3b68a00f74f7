using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Incidents.Commands;

/// <summary>Parses <c>/dbincident propose &lt;action&gt; [args]</c> and button values into a kind and arguments.</summary>
internal static class ActionRequestParser
{
    public const string CandidateArgument = "candidate";
    public const string SlotArgument = "slot";
    public const string VacuumFullArgument = "vacuum_full";
    public const string ReplicasArgument = "replicas";
    public const string TablesArgument = "tables";
    public const string IdleMinutesArgument = "idle_minutes";
    public const string MemberArgument = "member";
    public const string PvcArgument = "pvc";
    public const string SizeArgument = "size";

    private static readonly Dictionary<string, RemediationKind> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["failover"] = RemediationKind.Failover,
        ["switchover"] = RemediationKind.Switchover,
        ["scale-down"] = RemediationKind.ScaleBackendDown,
        ["scaledown"] = RemediationKind.ScaleBackendDown,
        ["scale-up"] = RemediationKind.ScaleBackendUp,
        ["scaleup"] = RemediationKind.ScaleBackendUp,
        ["cleanup"] = RemediationKind.AuditLogCleanup,
        ["audit-cleanup"] = RemediationKind.AuditLogCleanup,
        ["drop-slot"] = RemediationKind.DropReplicationSlot,
        ["checkpoint"] = RemediationKind.Checkpoint,
        ["vacuum-freeze"] = RemediationKind.VacuumFreeze,
        ["terminate-sessions"] = RemediationKind.TerminateSessions,
        ["restart-backend"] = RemediationKind.RestartBackend,
        ["analyze"] = RemediationKind.Analyze,
        ["reinit"] = RemediationKind.ReinitializeReplica,
        ["reinitialize"] = RemediationKind.ReinitializeReplica,
        ["fence"] = RemediationKind.FenceOldLeader,
        ["fence-old-leader"] = RemediationKind.FenceOldLeader,
        ["expand-volume"] = RemediationKind.ExpandVolume,
        ["expand"] = RemediationKind.ExpandVolume,
    };

    public static string CommandName(RemediationKind kind) => kind switch
    {
        RemediationKind.Failover => "failover",
        RemediationKind.Switchover => "switchover",
        RemediationKind.ScaleBackendDown => "scale-down",
        RemediationKind.ScaleBackendUp => "scale-up",
        RemediationKind.AuditLogCleanup => "cleanup",
        RemediationKind.DropReplicationSlot => "drop-slot",
        RemediationKind.Checkpoint => "checkpoint",
        RemediationKind.VacuumFreeze => "vacuum-freeze",
        RemediationKind.TerminateSessions => "terminate-sessions",
        RemediationKind.RestartBackend => "restart-backend",
        RemediationKind.Analyze => "analyze",
        RemediationKind.ReinitializeReplica => "reinit",
        RemediationKind.FenceOldLeader => "fence",
        RemediationKind.ExpandVolume => "expand-volume",
        _ => kind.ToString(),
    };

    public static string Title(RemediationKind kind) => kind switch
    {
        RemediationKind.Failover => "Patroni failover",
        RemediationKind.Switchover => "Patroni switchover",
        RemediationKind.ScaleBackendDown => "Scale backend down",
        RemediationKind.ScaleBackendUp => "Scale backend up",
        RemediationKind.AuditLogCleanup => "Audit-log clean-up + VACUUM",
        RemediationKind.DropReplicationSlot => "Drop inactive slot",
        RemediationKind.Checkpoint => "CHECKPOINT",
        RemediationKind.VacuumFreeze => "VACUUM (FREEZE)",
        RemediationKind.TerminateSessions => "Terminate idle-in-transaction sessions and lock-tree roots",
        RemediationKind.RestartBackend => "Rolling restart of the backend",
        RemediationKind.Analyze => "ANALYZE the largest tables",
        RemediationKind.ReinitializeReplica => "Rebuild a replica (Patroni reinitialize)",
        RemediationKind.FenceOldLeader => "Fence the stale primary",
        RemediationKind.ExpandVolume => "Grow the data volume (PVC expansion)",
        _ => kind.ToString(),
    };

    /// <summary>
    /// Parses "failover pg2", "fence pg1", "drop-slot old_slot", "cleanup vacuum-full", "terminate-sessions 10" (minutes),
    /// "reinit pg2", "expand-volume [pvc] [size]" (a word starting with a digit is the size); null with a reason when unknown.
    /// </summary>
    public static (RemediationKind? Kind, IReadOnlyDictionary<string, string> Arguments, string? Problem) Parse(string text)
    {
        var words = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        if (words.Length == 0 || !Names.TryGetValue(words[0], out var kind))
        {
            return (null, arguments, $"Unknown action `{(words.Length == 0 ? string.Empty : words[0])}`. Actions: {string.Join(", ", Names.Keys.Where(k => k.Contains('-', StringComparison.Ordinal) || k is "failover" or "switchover" or "checkpoint" or "cleanup" or "analyze" or "reinit" or "fence"))}.");
        }

        var rest = words.Skip(1).ToList();
        switch (kind)
        {
            case RemediationKind.Failover or RemediationKind.Switchover when rest.Count > 0:
                arguments[CandidateArgument] = rest[0];
                break;
            case RemediationKind.FenceOldLeader when rest.Count > 0:
                arguments[MemberArgument] = rest[0];
                break;
            case RemediationKind.DropReplicationSlot when rest.Count > 0:
                arguments[SlotArgument] = rest[0];
                break;
            case RemediationKind.AuditLogCleanup when rest.Any(w => w.Equals("vacuum-full", StringComparison.OrdinalIgnoreCase)):
                arguments[VacuumFullArgument] = "true";
                break;
            case RemediationKind.VacuumFreeze when rest.Count > 0:
                arguments[TablesArgument] = string.Join(",", rest.SelectMany(w => w.Split(',', StringSplitOptions.RemoveEmptyEntries)));
                break;
            case RemediationKind.ReinitializeReplica when rest.Count > 0:
                arguments[MemberArgument] = rest[0];
                break;
            case RemediationKind.TerminateSessions when rest.Count > 0:
                arguments[IdleMinutesArgument] = rest[0];
                break;
            case RemediationKind.ExpandVolume:
                foreach (var word in rest)
                {
                    var key = char.IsAsciiDigit(word[0]) ? SizeArgument : PvcArgument;
                    arguments.TryAdd(key, word);
                }

                break;
            case RemediationKind.ScaleBackendUp when rest.Count > 0 && int.TryParse(rest[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n):
                arguments[ReplicasArgument] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        return (kind, arguments, null);
    }
}
