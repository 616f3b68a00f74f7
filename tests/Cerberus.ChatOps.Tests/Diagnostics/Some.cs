using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>Probe results as the real probes shape them, for the classifier's tests.</summary>
internal static class Some
{
    public static ProbeResult Result(string probe, ProbeStatus status, params (string Key, string Value)[] facts) =>
        new(probe, status, $"{probe} {status}", [], facts.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal), TimeSpan.FromMilliseconds(10));

    public static ProbeResult ConnectivityOk() =>
        Result(ProbeNames.Connectivity, ProbeStatus.Ok, (FactKeys.Connectivity, "ok"), (DiagnosisFactKeys.PostgresTarget, "10.0.0.1:5432"));

    public static ProbeResult ConnectivityTimeout() =>
        Result(ProbeNames.Connectivity, ProbeStatus.Unknown, (FactKeys.Connectivity, "timeout"), (DiagnosisFactKeys.PostgresTarget, "127.0.0.1:5432"),
            (DiagnosisFactKeys.ConnectTimeoutSeconds, "5"), (DiagnosisFactKeys.TcpAccepted, "true"));

    public static ProbeResult ConnectivityRefused() =>
        Result(ProbeNames.Connectivity, ProbeStatus.Crit, (FactKeys.Connectivity, "refused"), (DiagnosisFactKeys.PostgresTarget, "127.0.0.1:5432"));

    public static ProbeResult ConnectionsAt(double saturation, int idleInTx = 0) =>
        Result(ProbeNames.Connections, saturation >= 95 ? ProbeStatus.Crit : saturation >= 80 ? ProbeStatus.Warn : ProbeStatus.Ok,
            (FactKeys.SaturationPercent, saturation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (FactKeys.ClientConnections, ((int)(saturation * 0.37)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (DiagnosisFactKeys.UsableConnections, "37"),
            (FactKeys.IdleInTransaction, idleInTx.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (DiagnosisFactKeys.OldestIdleInTransactionSeconds, "420"),
            (DiagnosisFactKeys.TopOffender, "cerberus-backend as app from 10.0.0.5 (30)"));

    public static ProbeResult ReplicationOk() =>
        Result(ProbeNames.Replication, ProbeStatus.Ok, (FactKeys.ReplicationStreaming, "1"), (FactKeys.InactiveSlots, "0"), (FactKeys.ArchiverFailing, "false"));

    public static ProbeResult DiskOk() =>
        Result(ProbeNames.Disk, ProbeStatus.Ok, (FactKeys.WalBytes, "50331648"), (DiagnosisFactKeys.WalOverLimit, "false"));

    public static ProbeResult PatroniHealthy() =>
        Result(ProbeNames.Patroni, ProbeStatus.Ok, (FactKeys.PatroniLeader, "pg1"), (DiagnosisFactKeys.PatroniLeaderHealthy, "true"),
            (DiagnosisFactKeys.PatroniCandidate, "pg2"), (DiagnosisFactKeys.PatroniCandidateLagBytes, "0"),
            (FactKeys.PatroniMembers, "pg1:leader:running,pg2:replica:streaming"));

    public static ProbeResult PatroniNoLeader(bool candidate = true) =>
        candidate
            ? Result(ProbeNames.Patroni, ProbeStatus.Crit, (FactKeys.PatroniLeader, string.Empty), (DiagnosisFactKeys.PatroniLeaderHealthy, "false"),
                (DiagnosisFactKeys.PatroniCandidate, "pg2"), (DiagnosisFactKeys.PatroniCandidateLagBytes, "0"))
            : Result(ProbeNames.Patroni, ProbeStatus.Crit, (FactKeys.PatroniLeader, string.Empty), (DiagnosisFactKeys.PatroniLeaderHealthy, "false"),
                (DiagnosisFactKeys.PatroniLaggingReplicas, "pg2 (lag unknown)"));

    public static ProbeResult PatroniUnreachable() =>
        Result(ProbeNames.Patroni, ProbeStatus.Unknown, (DiagnosisFactKeys.PatroniReachable, "0/2"));

    public static ProbeResult NotConfigured(string probe) =>
        Result(probe, ProbeStatus.Unknown, (DiagnosisFactKeys.NotConfigured, "true"));

    public static ProbeResult Volume(double usedPercent) =>
        Result(ProbeNames.Volume, usedPercent >= 90 ? ProbeStatus.Crit : ProbeStatus.Ok,
            (FactKeys.DiskUsedPercent, usedPercent.ToString(System.Globalization.CultureInfo.InvariantCulture)), (FactKeys.DiskFreeBytes, "1073741824"));

    public static ProbeResult KubernetesLog(string signatures) =>
        Result(ProbeNames.Kubernetes, ProbeStatus.Crit, (FactKeys.LogErrorSignatures, signatures));

    public static List<ProbeResult> Healthy() =>
        [ConnectivityOk(), ConnectionsAt(10), ReplicationOk(), DiskOk(), PatroniHealthy()];

    /// <summary>The healthy set with one result replaced (by probe name) or added.</summary>
    public static List<ProbeResult> HealthyWith(params ProbeResult[] replacements)
    {
        var results = Healthy();
        foreach (var r in replacements)
        {
            results.RemoveAll(x => x.Probe == r.Probe);
            results.Add(r);
        }

        return results;
    }
}
