using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Drill;

/// <summary>
/// One rehearsable outage: what the probes say while it lasts, which runbook remediation ends it, and what the
/// probes say after. Scripted: no real cluster is touched.
/// </summary>
internal sealed record DrillScenario(
    string Name,
    string Title,
    Classification Classification,
    RemediationKind Remedy,
    IReadOnlyList<RemediationKind> Recommended,
    IReadOnlyList<(string Probe, ProbeStatus Status, string Summary)> During,
    IReadOnlyList<(string Probe, ProbeStatus Status, string Summary)> After)
{
    public static readonly DrillScenario PrimaryUnresponsive = new(
        "primary-unresponsive",
        "primary unresponsive",
        Classification.PrimaryUnresponsive,
        RemediationKind.Failover,
        [RemediationKind.Failover],
        [
            (ProbeNames.Connectivity, ProbeStatus.Crit, "connect to the leader timed out after 5 s"),
            (ProbeNames.Patroni, ProbeStatus.Crit, "leader pg-0 does not answer; pg-1 streaming, lag 0 B"),
            (ProbeNames.Replication, ProbeStatus.Warn, "no WAL received from pg-0 for 40 s"),
            (ProbeNames.Connections, ProbeStatus.Unknown, "the leader does not accept connections"),
            (ProbeNames.Disk, ProbeStatus.Ok, "data volume 41% used"),
            (ProbeNames.App, ProbeStatus.Crit, "health endpoint answers HTTP 500"),
        ],
        [
            (ProbeNames.Connectivity, ProbeStatus.Ok, "new leader pg-1 accepts connections"),
            (ProbeNames.Patroni, ProbeStatus.Ok, "leader pg-1 on timeline 2; pg-0 rejoining as replica"),
            (ProbeNames.Replication, ProbeStatus.Ok, "1 replica streaming, lag 0 B"),
            (ProbeNames.App, ProbeStatus.Ok, "health endpoint answers HTTP 200"),
        ]);

    public static readonly DrillScenario DiskFull = new(
        "disk-full",
        "data volume full",
        Classification.DiskFull,
        RemediationKind.AuditLogCleanup,
        [RemediationKind.AuditLogCleanup, RemediationKind.DropReplicationSlot],
        [
            (ProbeNames.Connectivity, ProbeStatus.Warn, "connections succeed; writes fail: could not extend file: No space left on device"),
            (ProbeNames.Disk, ProbeStatus.Crit, "data volume 100% used (20.0 GiB of 20.0 GiB); audit_log 9.1 GiB"),
            (ProbeNames.Volume, ProbeStatus.Crit, "grew 2.1 GiB in the last hour"),
            (ProbeNames.Replication, ProbeStatus.Ok, "1 replica streaming, lag 0 B"),
            (ProbeNames.Patroni, ProbeStatus.Ok, "leader pg-0, 1 replica streaming"),
            (ProbeNames.App, ProbeStatus.Crit, "health endpoint answers HTTP 500"),
        ],
        [
            (ProbeNames.Disk, ProbeStatus.Ok, "data volume 58% used after the clean-up"),
            (ProbeNames.Volume, ProbeStatus.Ok, "stable over the last 10 min"),
            (ProbeNames.Replication, ProbeStatus.Ok, "1 replica streaming, lag 0 B"),
            (ProbeNames.App, ProbeStatus.Ok, "health endpoint answers HTTP 200"),
        ]);

    public static readonly DrillScenario ConnectionExhaustion = new(
        "connection-exhaustion",
        "connections exhausted",
        Classification.ConnectionExhaustion,
        RemediationKind.ScaleBackendDown,
        [RemediationKind.ScaleBackendDown],
        [
            (ProbeNames.Connectivity, ProbeStatus.Crit, "FATAL: sorry, too many clients already"),
            (ProbeNames.Connections, ProbeStatus.Crit, "100 of 100 connections used; 87 idle in transaction from cerberus-backend"),
            (ProbeNames.Kubernetes, ProbeStatus.Warn, "cerberus-backend scaled to 12 replicas 20 min ago"),
            (ProbeNames.Patroni, ProbeStatus.Ok, "leader pg-0, 1 replica streaming"),
            (ProbeNames.Disk, ProbeStatus.Ok, "data volume 41% used"),
            (ProbeNames.App, ProbeStatus.Crit, "health endpoint answers HTTP 500"),
        ],
        [
            (ProbeNames.Connectivity, ProbeStatus.Ok, "accepting connections"),
            (ProbeNames.Connections, ProbeStatus.Ok, "38 of 100 connections used"),
            (ProbeNames.Kubernetes, ProbeStatus.Ok, "cerberus-backend at 4 replicas, all ready"),
            (ProbeNames.App, ProbeStatus.Ok, "health endpoint answers HTTP 200"),
        ]);

    public static IReadOnlyList<DrillScenario> All { get; } = [PrimaryUnresponsive, DiskFull, ConnectionExhaustion];

    public static string Names => string.Join("|", All.Select(s => s.Name));

    public static DrillScenario? Find(string? name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The scenario of a drill incident: its summary starts with the scenario's name.</summary>
    public static DrillScenario? Of(string summary) =>
        All.FirstOrDefault(s => (summary ?? string.Empty).StartsWith(s.Name, StringComparison.OrdinalIgnoreCase));
}
