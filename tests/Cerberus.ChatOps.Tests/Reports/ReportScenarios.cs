using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;

namespace Cerberus.ChatOps.Tests.Reports;

/// <summary>
/// Full incidents recorded through the Domain's intent methods with a fixed clock, as the engine records them.
/// Every intent must succeed: a refused step fails the test that builds the scenario.
/// </summary>
internal static class ReportScenarios
{
    public const string OnCall = "U0ONCALL";
    public const string Commander = "U0IC";
    public const string Dba = "U0DBA";
    public const string LeakedPassword = "hunter2secret";

    /// <summary>Everyone in the scenarios is on the roster; the second-person rule is off unless a scenario says so.</summary>
    public static readonly ApprovalPolicy Team =
        new(new HashSet<string>(StringComparer.Ordinal) { OnCall, Commander, Dba }, SecondPersonRule.None, TimeSpan.FromMinutes(15));

    /// <summary>Primary unresponsive → manual failover to a lagging replica (≈ 20 MB lost) → resolved with a root cause.</summary>
    public static (Incident Incident, TableHealth Integrity, DateTimeOffset GeneratedAt) WithFailover()
    {
        var day = new DateTimeOffset(2026, 3, 14, 0, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0007", "C0INC0007", "Database outage: API returns 500", OnCall, day.AddHours(2).AddMinutes(10));
        Ok(incident.BeginDiagnosis(OnCall, At(day, "02:10:05")));
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(
            At(day, "02:10:05"),
            At(day, "02:10:50"),
            [
                Probe("connectivity", ProbeStatus.Crit, "connect timed out after 5 s", [], new() { [FactKeys.Connectivity] = "timeout" }, At(day, "02:03:00")),
                Probe("connections", ProbeStatus.Unknown, "could not connect to count connections", [], new()),
                Probe("patroni", ProbeStatus.Crit, "leader pg1 does not answer /patroni; pg2 running", [], new()
                {
                    [FactKeys.PatroniLeader] = "pg1",
                    [FactKeys.PatroniTimeline] = "3",
                    [FactKeys.MaxReplicaLagBytes] = "29026464",
                }),
                Probe("replication", ProbeStatus.Warn, "pg2 has 27.7 MiB unflushed", [], new() { [FactKeys.MaxUnflushedBytes] = "29026464" }),
                Probe("disk", ProbeStatus.Ok, "data volume 41 % used", [], new() { [FactKeys.DiskUsedPercent] = "41", [FactKeys.WalBytes] = "1073741824" }),
                Probe("kubernetes", ProbeStatus.Warn, "postgres container logs show errors",
                [
                    "2026-03-14 02:03:12.481 UTC [4121] FATAL:  terminating connection due to administrator command",
                    "2026-03-14 02:04:40.002 UTC [4188] LOG:  checkpoint starting: time",
                    "2026-03-14 02:05:01.117 UTC [4190] FATAL:  terminating connection due to administrator command",
                    $"2026-03-14 02:06:00.000 UTC [88] ERROR:  could not connect with password={LeakedPassword}",
                ], new() { [FactKeys.LogErrorSignatures] = "Loop time exceeded ×4; DCS is not accessible ×1" }),
                Probe("app", ProbeStatus.Crit, "GET /health answered 500", [], new() { [FactKeys.AppHttpStatus] = "500", [FactKeys.AppLatencyMs] = "5003" }, At(day, "02:04:00")),
            ],
            Classification.PrimaryUnresponsive,
            "The primary pg1 does not answer; pg2 is 27.7 MiB behind.",
            [RemediationKind.Failover]), At(day, "02:11:00")));
        Ok(incident.ChangeCommander(Commander, OnCall, Team, At(day, "02:12:00")));
        Ok(incident.ProposeAction(Action("A-0007-1", RemediationKind.Failover, "pg2", OnCall, At(day, "02:14:00"),
            risk: "pg2 is 27.7 MiB behind: that WAL may be lost"), Team, At(day, "02:14:00")));
        Ok(incident.Approve("A-0007-1", Commander, riskAccepted: true, Team, At(day, "02:16:00")));
        Ok(incident.MarkStarted("A-0007-1", At(day, "02:16:05")));
        Ok(incident.RecordExecution("A-0007-1", true, "pg2 promoted, timeline 3 → 4", new Dictionary<string, string>
        {
            [ActionFigureKeys.FailoverMode] = ActionFigureKeys.FailoverModeFailover,
            [ActionFigureKeys.OldLeader] = "pg1",
            [ActionFigureKeys.NewLeader] = "pg2",
            [ActionFigureKeys.TimelineBefore] = "3",
            [ActionFigureKeys.OldLeaderLastLsn] = "0/47B0000",
            [ActionFigureKeys.CandidateReceivedLsn] = "0/3400000",
            [ActionFigureKeys.WalRateBytesPerSecond] = "512000",
            [ActionFigureKeys.LossLowerMeasured] = "true",
            [ActionFigureKeys.LossUpperBytes] = "36003840",
            [ActionFigureKeys.PatroniTtlSeconds] = "30",
        }, At(day, "02:16:07")));

        // The verification's own figures reach the record (and the report) through RecordVerification.
        Ok(incident.RecordVerification("A-0007-1", true, "leader pg1 → pg2; app 500 → 200", At(day, "02:17:00"), new Dictionary<string, string>
        {
            [ActionFigureKeys.TimelineAfter] = "4",
            [ActionFigureKeys.SwitchpointLsn] = "0/3400000",
            [ActionFigureKeys.FenceOldPrimary] = "true",
            [ActionFigureKeys.OldLeaderState] = "not back",
        }));
        Ok(incident.BeginDiagnosis(Commander, At(day, "02:20:00")));
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(
            At(day, "02:20:00"),
            At(day, "02:20:40"),
            [
                Probe("connectivity", ProbeStatus.Ok, "connected in 12 ms", [], new() { [FactKeys.Connectivity] = "ok" }),
                Probe("connections", ProbeStatus.Ok, "12 of 37 usable connections", [], new()
                {
                    [FactKeys.ClientConnections] = "12",
                    [FactKeys.MaxConnections] = "40",
                    [FactKeys.SaturationPercent] = "32",
                }),
                Probe("patroni", ProbeStatus.Warn, "leader pg2 running; pg1 is not a member", [], new()
                {
                    [FactKeys.PatroniLeader] = "pg2",
                    [FactKeys.PatroniTimeline] = "4",
                }),
                Probe("disk", ProbeStatus.Ok, "data volume 41 % used", [], new() { [FactKeys.DiskUsedPercent] = "41", [FactKeys.WalBytes] = "402653184" }),
                Probe("app", ProbeStatus.Ok, "GET /health answered 200", [], new() { [FactKeys.AppHttpStatus] = "200", [FactKeys.AppLatencyMs] = "38" }),
            ],
            Classification.Healthy,
            "All probes answer; pg2 leads on timeline 4.",
            []), At(day, "02:20:40")));
        Ok(incident.AddNote(Commander, "pg1 fenced: its pod deleted, Patroni stopped there", At(day, "02:40:00")));
        Ok(incident.Resolve(Commander,
            "pg1 hung on an I/O stall of its volume; Patroni 3.0.2 did not fail over by itself because pg2 lagged 27.7 MiB (maximum_lag_on_failover is 1 MiB)",
            force: false, Team, At(day, "03:10:00")));
        var integrity = new TableHealth(At(day, "03:12:00"),
        [
            new TableHealthRow("audit", "logs", 0, 0, null, null, null),
            new TableHealthRow("public", "leaderboard", 0, 0, null, null, null),
        ]);
        return (incident, integrity, At(day, "03:12:30"));
    }

    /// <summary>Disk full: a slot drop rejected, an audit-log clean-up approved under the two-person rule; no failover.</summary>
    public static (Incident Incident, TableHealth Integrity, DateTimeOffset GeneratedAt) WithoutFailover()
    {
        var day = new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero);
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Dba }, SecondPersonRule.All, TimeSpan.FromMinutes(15));
        var incident = Incident.Declare("INC-2026-0012", "C0DBOPS", "Disk full on the primary", OnCall, At(day, "09:00:00"));
        Ok(incident.BeginDiagnosis(OnCall, At(day, "09:00:10")));
        var noSpace = "2026-05-02 08:47:03.120 UTC [2211] ERROR:  could not extend file \"base/16384/24576\": No space left on device";
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(
            At(day, "09:00:10"),
            At(day, "09:00:55"),
            [
                Probe("connectivity", ProbeStatus.Ok, "connected in 9 ms", [], new() { [FactKeys.Connectivity] = "ok" }),
                Probe("replication", ProbeStatus.Crit, "slot old_replica_slot inactive, retains 16 GiB; archiver failing", [], new()
                {
                    [FactKeys.InactiveSlots] = "1",
                    [FactKeys.SlotRetainedBytes] = "17179869184",
                    [FactKeys.ArchiverFailing] = "true",
                    [FactKeys.ArchiveReadyCount] = "312",
                }),
                Probe("disk", ProbeStatus.Crit, "data volume 96 % used", [], new()
                {
                    [FactKeys.DiskUsedPercent] = "96",
                    [FactKeys.DiskFreeBytes] = "2147483648",
                    [FactKeys.WalBytes] = "21474836480",
                }, At(day, "08:45:00")),
                Probe("kubernetes", ProbeStatus.Warn, "postgres container logs show errors", [noSpace, noSpace, noSpace], new()),
                Probe("app", ProbeStatus.Crit, "GET /health answered 500", [], new() { [FactKeys.AppHttpStatus] = "500" }),
            ],
            Classification.DiskFull,
            "The data volume is 96 % full; WAL is 20 GiB: an inactive slot and a failing archiver retain it.",
            [RemediationKind.DropReplicationSlot, RemediationKind.AuditLogCleanup]), At(day, "09:01:00")));
        Ok(incident.ProposeAction(Action("A-0012-1", RemediationKind.DropReplicationSlot, "old_replica_slot", OnCall, At(day, "09:05:00")), Team, At(day, "09:05:00")));
        Ok(incident.Reject("A-0012-1", Dba, policy, At(day, "09:07:00")));
        Ok(incident.ProposeAction(Action("A-0012-2", RemediationKind.AuditLogCleanup, "audit.logs", OnCall, At(day, "09:10:00")), Team, At(day, "09:10:00")));
        Ok(incident.Approve("A-0012-2", Dba, riskAccepted: false, policy, At(day, "09:12:00")));
        Ok(incident.MarkStarted("A-0012-2", At(day, "09:12:10")));
        Ok(incident.RecordExecution("A-0012-2", true, "deleted 4,200,000 rows older than 90 days in 84 batches, then VACUUM audit.logs", new Dictionary<string, string>
        {
            [ActionFigureKeys.RowsDeleted] = "4200000",
            [ActionFigureKeys.BytesFreed] = "3328599654",
            [ActionFigureKeys.DurationSeconds] = "1380",
        }, At(day, "09:35:10")));
        Ok(incident.RecordVerification("A-0012-2", true, "disk 96 % → 81 %", At(day, "09:36:00")));
        Ok(incident.BeginDiagnosis(Dba, At(day, "09:50:00")));
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(
            At(day, "09:50:00"),
            At(day, "09:50:45"),
            [
                Probe("connectivity", ProbeStatus.Ok, "connected in 8 ms", [], new() { [FactKeys.Connectivity] = "ok" }),
                Probe("replication", ProbeStatus.Warn, "slot old_replica_slot inactive", [], new()
                {
                    [FactKeys.InactiveSlots] = "1",
                    [FactKeys.SlotRetainedBytes] = "1073741824",
                    [FactKeys.ArchiverFailing] = "false",
                    [FactKeys.ArchiveReadyCount] = "0",
                }),
                Probe("disk", ProbeStatus.Warn, "data volume 81 % used", [], new()
                {
                    [FactKeys.DiskUsedPercent] = "81",
                    [FactKeys.DiskFreeBytes] = "10200547328",
                    [FactKeys.WalBytes] = "1073741824",
                }),
                Probe("app", ProbeStatus.Ok, "GET /health answered 200", [], new() { [FactKeys.AppHttpStatus] = "200" }),
            ],
            Classification.Healthy,
            "Disk at 81 %: no finding needs an action.",
            []), At(day, "09:50:45")));
        Ok(incident.Resolve(Dba,
            "audit.logs grew past its 90-day retention (the nightly clean-up job had failed since April) while a failing archive_command kept WAL",
            force: false, Team, At(day, "10:15:00")));
        var integrity = new TableHealth(At(day, "10:16:00"),
        [
            new TableHealthRow("audit", "logs", 9_000_000, 4_200_000, 31.8, At(day, "09:35:00"), new DateTimeOffset(2026, 4, 11, 3, 0, 0, TimeSpan.Zero)),
            new TableHealthRow("public", "sessions", 120_000, 800, 0.7, null, At(day, "08:00:00")),
        ]);
        return (incident, integrity, At(day, "10:16:30"));
    }

    /// <summary>
    /// A drill: connection exhaustion noticed hours late; an expired switchover card, the backend scaled down and
    /// never scaled up, a switchover from a healthy leader; resolved with --force and no root cause (RTO missed).
    /// </summary>
    public static (Incident Incident, TableHealth Integrity, DateTimeOffset GeneratedAt) RtoMissedWithHypothesis()
    {
        var day = new DateTimeOffset(2026, 6, 20, 0, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0020", "C0DRILL", "Connection pool exhausted", OnCall, At(day, "14:00:00"), drill: true);
        Ok(incident.BeginDiagnosis(OnCall, At(day, "14:00:05")));
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(
            At(day, "14:00:05"),
            At(day, "14:00:40"),
            [
                Probe("connectivity", ProbeStatus.Crit, "too many clients already (53300)", [], new() { [FactKeys.Connectivity] = "too_many_clients" }, At(day, "09:30:00")),
                Probe("connections", ProbeStatus.Crit, "37 of 37 usable connections; 22 idle in transaction", [], new()
                {
                    [FactKeys.ClientConnections] = "37",
                    [FactKeys.MaxConnections] = "40",
                    [FactKeys.SaturationPercent] = "100",
                    [FactKeys.IdleInTransaction] = "22",
                    [FactKeys.LongestTransactionSeconds] = "5400",
                }),
                Probe("app", ProbeStatus.Crit, "GET /health answered 503", [], new() { [FactKeys.AppHttpStatus] = "503" }),
            ],
            Classification.ConnectionExhaustion,
            "37 of 37 usable connections are taken; 22 are idle in transaction (cerberus-backend).",
            [RemediationKind.ScaleBackendDown]), At(day, "14:01:00")));
        Ok(incident.ProposeAction(Action("A-0020-1", RemediationKind.Switchover, "pg2", OnCall, At(day, "14:05:00")), Team, At(day, "14:05:00")));
        if (incident.ExpireApprovals(At(day, "14:25:00")).Count != 1)
        {
            throw new InvalidOperationException("the switchover card should have expired");
        }

        Ok(incident.ProposeAction(Action("A-0020-2", RemediationKind.ScaleBackendDown, "cerberus-backend", OnCall, At(day, "14:30:00"), undo: RemediationKind.ScaleBackendUp), Team, At(day, "14:30:00")));
        Ok(incident.Approve("A-0020-2", OnCall, riskAccepted: false, Team, At(day, "14:31:00")));
        Ok(incident.MarkStarted("A-0020-2", At(day, "14:31:05")));
        Ok(incident.RecordExecution("A-0020-2", true, "cerberus-backend scaled 3 → 0", new Dictionary<string, string>
        {
            [ActionFigureKeys.ReplicasBefore] = "3",
            [ActionFigureKeys.ReplicasAfter] = "0",
        }, At(day, "14:31:40")));
        Ok(incident.RecordVerification("A-0020-2", true, "client connections 37 → 2", At(day, "14:33:00")));
        Ok(incident.ProposeAction(Action("A-0020-3", RemediationKind.Switchover, "pg2", OnCall, At(day, "14:40:00")), Team, At(day, "14:40:00")));
        Ok(incident.Approve("A-0020-3", OnCall, riskAccepted: false, Team, At(day, "14:41:00")));
        Ok(incident.MarkStarted("A-0020-3", At(day, "14:41:02")));
        Ok(incident.RecordExecution("A-0020-3", true, "switchover pg1 → pg2, timeline 7 → 8", new Dictionary<string, string>
        {
            [ActionFigureKeys.FailoverMode] = ActionFigureKeys.FailoverModeSwitchover,
            [ActionFigureKeys.OldLeader] = "pg1",
            [ActionFigureKeys.NewLeader] = "pg2",
            [ActionFigureKeys.TimelineBefore] = "7",
            [ActionFigureKeys.EstimatedLossBytes] = "0",
        }, At(day, "14:41:05")));
        Ok(incident.RecordVerification("A-0020-3", true, "leader pg1 → pg2", At(day, "14:42:00"), new Dictionary<string, string>
        {
            [ActionFigureKeys.TimelineAfter] = "8",
            [ActionFigureKeys.OldLeaderState] = "replica",
        }));
        Ok(incident.Resolve(OnCall, rootCause: null, force: true, Team, At(day, "14:50:00")));
        return (incident, TableHealth.Failed(At(day, "14:51:00"), "pg_stat_user_tables did not answer within 15 s."), At(day, "14:51:30"));
    }

    public static DateTimeOffset At(DateTimeOffset day, string time) => day + TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

    public static void Ok(DomainResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("scenario step refused: " + result);
        }
    }

    private static ProbeResult Probe(string name, ProbeStatus status, string summary, IReadOnlyList<string> details, Dictionary<string, string> facts, DateTimeOffset? since = null) =>
        new(name, status, summary, details, facts, TimeSpan.FromMilliseconds(120), since);

    private static ActionRecord Action(string id, RemediationKind kind, string target, string proposedBy, DateTimeOffset at, string? risk = null, RemediationKind? undo = null) => new()
    {
        Id = id,
        Kind = kind,
        Target = target,
        Description = $"{kind} on {target}",
        BasedOn = "the last diagnosis",
        ObservedFingerprint = $"{kind}:{target}",
        ProposedBy = proposedBy,
        ProposedAt = at,
        ExpiresAt = at.AddMinutes(15),
        RiskWarning = risk,
        UndoKind = undo,
    };
}
