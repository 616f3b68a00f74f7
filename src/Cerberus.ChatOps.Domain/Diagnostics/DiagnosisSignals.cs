using System.Globalization;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>The probe facts the classifier decides on, read once from the results (missing facts stay null).</summary>
internal sealed class DiagnosisSignals
{
    private DiagnosisSignals(IReadOnlyList<ProbeResult> considered)
    {
        Considered = considered;
        Connectivity = Find(ProbeNames.Connectivity);
        Connections = Find(ProbeNames.Connections);
        Patroni = Find(ProbeNames.Patroni);
        Replication = Find(ProbeNames.Replication);
        Disk = Find(ProbeNames.Disk);
        Volume = Find(ProbeNames.Volume);
        Kubernetes = Find(ProbeNames.Kubernetes);
        App = Find(ProbeNames.App);
        Signatures = FactList.Split(Text(Kubernetes, FactKeys.LogErrorSignatures)).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Results of probes that ran (configured ones).</summary>
    public IReadOnlyList<ProbeResult> Considered { get; }

    public ProbeResult? Connectivity { get; }
    public ProbeResult? Connections { get; }
    public ProbeResult? Patroni { get; }
    public ProbeResult? Replication { get; }
    public ProbeResult? Disk { get; }
    public ProbeResult? Volume { get; }
    public ProbeResult? Kubernetes { get; }
    public ProbeResult? App { get; }

    /// <summary>
    /// What the application's health URL says when it is not fine: "answers 503 (120 ms)", "does not answer";
    /// null when the app probe did not run or the app answers 2xx/3xx/4xx.
    /// </summary>
    public string? AppTrouble
    {
        get
        {
            if (App is null)
            {
                return null;
            }

            var status = Number(App, FactKeys.AppHttpStatus);
            var latency = Number(App, FactKeys.AppLatencyMs);
            var took = latency is { } ms ? string.Create(CultureInfo.InvariantCulture, $" ({ms:0} ms)") : string.Empty;
            return status switch
            {
                >= 500 => string.Create(CultureInfo.InvariantCulture, $"answers {status:0}{took}"),
                null or 0 when App.Status is ProbeStatus.Unknown or ProbeStatus.Crit => "does not answer",
                _ => null,
            };
        }
    }
    public IReadOnlySet<string> Signatures { get; }

    public string? ConnectivityOutcome => Text(Connectivity, FactKeys.Connectivity);

    /// <summary>The primary does not serve: refused, connect timeout, hung (a trivial query timed out), starting (57P03/08006/reset).</summary>
    public bool PostgresDown => ConnectivityOutcome is "refused" or "timeout" or "hung" or "starting";

    /// <summary>The configured target answered as a standby where the primary was expected.</summary>
    public bool ConfiguredInRecovery => Flag(Connectivity, DiagnosisFactKeys.ConfiguredInRecovery);

    public string? ConfiguredTarget => Text(Connectivity, DiagnosisFactKeys.ConfiguredTarget);

    /// <summary>The probes ran on Patroni's leader (resolved from /cluster), not on the configured host.</summary>
    public bool OnPatroniLeader => Text(Connectivity, DiagnosisFactKeys.TargetSource) == "patroni_leader";

    /// <summary>The configured database's system identifier differs from the Patroni cluster's.</summary>
    public bool OutsideCluster => Flag(Connectivity, DiagnosisFactKeys.OutsideCluster);

    /// <summary>Members that claim to be primary, from /patroni roles or pg_is_in_recovery(); null when at most one does.</summary>
    public string? SplitBrain =>
        Text(Patroni, DiagnosisFactKeys.SplitBrain) is { Length: > 0 } p ? p
        : Text(Connectivity, DiagnosisFactKeys.SplitBrain) is { Length: > 0 } c ? c : null;

    public string? MissingStandbys => Text(Replication, DiagnosisFactKeys.MissingStandbys) is { Length: > 0 } m ? m : null;

    public bool RoleLimit => ConnectivityOutcome == "role_limit";

    public double? LastSwitchAgeSeconds => Number(Patroni, DiagnosisFactKeys.LastSwitchAgeSeconds);

    public string? LastSwitchLeader => Text(Patroni, DiagnosisFactKeys.LastSwitchLeader) is { Length: > 0 } l ? l : null;

    public string? PreviousLeader => Text(Patroni, DiagnosisFactKeys.PreviousLeader) is { Length: > 0 } l ? l : null;

    public string? LastSwitchAt => Text(Patroni, DiagnosisFactKeys.LastSwitchAt);

    public int? LastSwitchTimeline => Number(Patroni, DiagnosisFactKeys.LastSwitchTimeline) is { } n ? (int)n : null;

    public string Target => Text(Connectivity, DiagnosisFactKeys.PostgresTarget) ?? "the database";

    /// <summary>Patroni answered at all (at least one member gave /cluster).</summary>
    public bool PatroniAnswered => Patroni is not null && Text(Patroni, FactKeys.PatroniLeader) is not null;

    public string? PatroniLeader => PatroniAnswered && Text(Patroni, FactKeys.PatroniLeader) is { Length: > 0 } l ? l : null;

    public bool PatroniLeaderHealthy => Flag(Patroni, DiagnosisFactKeys.PatroniLeaderHealthy);

    public string? Candidate => Text(Patroni, DiagnosisFactKeys.PatroniCandidate) is { Length: > 0 } c ? c : null;

    public long? CandidateLag => Number(Patroni, DiagnosisFactKeys.PatroniCandidateLagBytes) is { } n ? (long)n : null;

    public double? DiskUsedPercent => Number(Volume, FactKeys.DiskUsedPercent) ?? NumberAnywhere(FactKeys.DiskUsedPercent);

    public long? DiskFreeBytes => (Number(Volume, FactKeys.DiskFreeBytes) ?? NumberAnywhere(FactKeys.DiskFreeBytes)) is { } n ? (long)n : null;

    public bool WalOverLimit => Flag(Disk, DiagnosisFactKeys.WalOverLimit);

    public long? WalLimitBytes => Number(Disk, DiagnosisFactKeys.WalLimitBytes) is { } n ? (long)n : null;

    public long? WalBytes => Number(Disk, FactKeys.WalBytes) is { } n ? (long)n : null;

    /// <summary>Temporary files (pg_ls_tmpdir, a lower bound), when the disk probe measured them.</summary>
    public long? TempFilesBytes => Number(Disk, DiagnosisFactKeys.TempFilesBytes) is { } n ? (long)n : null;

    /// <summary>The server log directory (pg_ls_logdir), when measured.</summary>
    public long? ServerLogBytes => Number(Disk, DiagnosisFactKeys.ServerLogBytes) is { } n ? (long)n : null;

    /// <summary>pg_wal held for the archiver (.ready segments × wal_segment_size), when measured.</summary>
    public long? ArchiveReadyBytes => Number(Disk, DiagnosisFactKeys.ArchiveReadyBytes) is { } n ? (long)n : null;

    /// <summary>The space consumers the disk probe ran but could not measure ("temp files", "server logs", ...).</summary>
    public IReadOnlyList<string> UnmeasuredConsumers => FactList.Split(Text(Disk, DiagnosisFactKeys.UnmeasuredConsumers)).ToList();

    public double? Saturation => Number(Connections, FactKeys.SaturationPercent);

    public int InactiveSlots => (int)(Number(Replication, FactKeys.InactiveSlots) ?? 0);

    public int LostSlots => (int)(Number(Replication, DiagnosisFactKeys.LostSlots) ?? 0);

    public string? InactiveSlotNames => Text(Replication, DiagnosisFactKeys.InactiveSlotNames);

    /// <summary>
    /// Inactive slots that are not Patroni's own slot of a known member (Patroni names a member's slot after the
    /// member: lower case, '-' and '.' as '_'); those are the ones worth dropping. A stopped member's slot is
    /// Patroni's to manage: bring the member back instead. Empty while <see cref="PatroniMembershipUnknown"/>: without
    /// /cluster no slot can be called foreign (a stopped replica's slot looks exactly like a dead one).
    /// </summary>
    public IReadOnlyList<string> ForeignInactiveSlots =>
        PatroniMembershipUnknown
            ? []
            : Names(InactiveSlotNames).Where(slot => MemberOfSlot(slot) is null).ToList();

    /// <summary>The Patroni probe ran but no member answered /cluster: who owns a slot is unknown.</summary>
    public bool PatroniMembershipUnknown => Patroni is not null && !PatroniAnswered;

    /// <summary>Slots with wal_status lost: the WAL they needed is gone.</summary>
    public IReadOnlyList<string> LostSlotNames => Names(Text(Replication, DiagnosisFactKeys.LostSlotNames));

    /// <summary>The current member whose Patroni slot <paramref name="slot"/> is, or null.</summary>
    public string? MemberOfSlot(string slot) =>
        PatroniMemberNames.FirstOrDefault(m => string.Equals(SlotNameOf(m), slot, StringComparison.Ordinal));

    /// <summary>Member names from the Patroni probe's member list ("name:role:state,...").</summary>
    public IReadOnlyList<string> PatroniMemberNames =>
        (Text(Patroni, FactKeys.PatroniMembers) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.Split(':')[0])
            .ToList();

    public long? SlotRetained => Number(Replication, FactKeys.SlotRetainedBytes) is { } n ? (long)n : null;

    public bool ArchiverFailing => Flag(Replication, FactKeys.ArchiverFailing) || Signatures.Contains("archive_failed");

    public int ArchiveReady => (int)(Number(Replication, FactKeys.ArchiveReadyCount) ?? 0);

    public int ReplicasNotStreaming => (int)(Number(Replication, DiagnosisFactKeys.ReplicasNotStreaming) ?? 0);

    public string? WalReceiver => Text(Replication, DiagnosisFactKeys.WalReceiverStatus);

    public string? UnhealthyReplicas => Text(Patroni, DiagnosisFactKeys.PatroniUnhealthyReplicas) is { Length: > 0 } s ? s : null;

    public string? LaggingReplicas => Text(Patroni, DiagnosisFactKeys.PatroniLaggingReplicas) is { Length: > 0 } s ? s : null;

    /// <summary>
    /// Patroni 3.0.2's slot name for a member (<c>utils.py</c> <c>slot_name_from_member_name</c>): lower case, '-' and
    /// '.' as '_', any other character outside [a-z0-9_] as u + its 4-digit code, at most 63 characters.
    /// </summary>
    public static string SlotNameOf(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var sb = new System.Text.StringBuilder();
        foreach (var c in member.ToLowerInvariant())
        {
            _ = c switch
            {
                (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' => sb.Append(c),
                '-' or '.' => sb.Append('_'),
                _ => sb.Append('u').Append(((int)c).ToString("D4", CultureInfo.InvariantCulture)),
            };
        }

        return sb.Length > 63 ? sb.ToString(0, 63) : sb.ToString();
    }

    /// <summary>A comma-separated fact as names.</summary>
    public static string[] Names(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static DiagnosisSignals From(IEnumerable<ProbeResult> results) =>
        new(results.Where(r => !Flag(r, DiagnosisFactKeys.NotConfigured)).ToList());

    public static string? Text(ProbeResult? result, string key) =>
        result is not null && result.Facts.TryGetValue(key, out var value) ? value : null;

    public static bool Flag(ProbeResult? result, string key) =>
        string.Equals(Text(result, key), "true", StringComparison.OrdinalIgnoreCase);

    public static double? Number(ProbeResult? result, string key) =>
        Text(result, key) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private ProbeResult? Find(string probe) =>
        Considered.FirstOrDefault(r => string.Equals(r.Probe, probe, StringComparison.Ordinal));

    private double? NumberAnywhere(string key) =>
        Considered.Select(r => Number(r, key)).FirstOrDefault(n => n is not null);
}
