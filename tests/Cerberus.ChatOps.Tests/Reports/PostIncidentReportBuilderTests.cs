using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;

namespace Cerberus.ChatOps.Tests.Reports;

public sealed class PostIncidentReportBuilderTests
{
    private static (PostIncidentReport Report, string Markdown) Render(Func<(Incident Incident, TableHealth Integrity, DateTimeOffset GeneratedAt)> scenario)
    {
        var (incident, integrity, generatedAt) = scenario();
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        return (report, report.ToMarkdown());
    }

    private static void AssertHeadingsMatchGolden(string goldenName, string markdown)
    {
        var golden = GoldenFile.Read(goldenName, markdown);
        Assert.Equal(GoldenFile.Headings(golden), GoldenFile.Headings(markdown));
        Assert.Equal(PostIncidentReportMarkdown.Sections, GoldenFile.Headings(markdown).Skip(1).ToList());
    }

    [Fact]
    public void ToMarkdown_WithFailover_HasTheGoldenStructure()
    {
        // arrange
        var (_, markdown) = Render(ReportScenarios.WithFailover);

        // act
        var headings = GoldenFile.Headings(markdown);

        // assert
        Assert.Equal("# INC-2026-0007: Database outage: API returns 500 — post-incident report", headings[0]);
        AssertHeadingsMatchGolden("WithFailover.md", markdown);
    }

    [Fact]
    public void Build_WithFailover_TimesAreTheEarliestSymptomAndTheRecordedMilestones()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 3, 0, TimeSpan.Zero), report.Times.Detected);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 10, 0, TimeSpan.Zero), report.Times.Declared);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 17, 0, TimeSpan.Zero), report.Times.Mitigated);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 3, 10, 0, TimeSpan.Zero), report.Times.Resolved);
        Assert.Equal(TimeSpan.FromMinutes(67), report.Times.TimeToRecovery);
        Assert.Contains("| Detected (earliest symptom) | 2026-03-14 02:03:00 UTC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Declared | 2026-03-14 02:10:00 UTC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Mitigated | 2026-03-14 02:17:00 UTC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Resolved | 2026-03-14 03:10:00 UTC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Detection → declaration | 7 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Declaration → mitigation | 7 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Detection → mitigation | 14 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Mitigation → resolution | 53 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Declaration → resolution | 1 h |", markdown, StringComparison.Ordinal);
        Assert.Contains("| **Detection → resolution (time to recovery)** | **1 h 07 min** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Generated | 2026-03-14 03:12:30 UTC |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_RtoIsMetWithItsMargin()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);

        // assert
        Assert.Equal(ObjectiveVerdict.Met, report.RecoveryTime.Verdict);
        Assert.Equal(TimeSpan.FromHours(4), report.RecoveryTime.Objective);
        Assert.Equal(new TimeSpan(2, 53, 0), report.RecoveryTime.Margin);
        Assert.Contains("- **Time to recovery:** 1 h 07 min (detection → resolution) — RTO 4 h met, 2 h 53 min to spare.", report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_DataLossIsComputedFromTheRecordedLsns()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(0x47B0000 - 0x3400000, report.DataLoss.LossBytes);
        Assert.Equal(20_643_840, report.DataLoss.LossBytes);
        Assert.Equal(40.32, report.DataLoss.LossSeconds!.Value, 2);
        Assert.Equal(ObjectiveVerdict.Met, report.DataLoss.Verdict);
        Assert.True(report.DataLoss.FailoverHappened);
        var failover = Assert.Single(report.DataLoss.Failovers);
        Assert.Equal(("A-0007-1", "failover", "pg1", "pg2"), (failover.ActionId, failover.Mode, failover.OldLeader, failover.NewLeader));
        Assert.Contains("- **Data loss:** ≥ 20,643,840 B (19.7 MiB), ≈ 40 s of writes, at most 36,003,840 B (34.3 MiB) — RPO 15 min met.", markdown, StringComparison.Ordinal);
        Assert.Contains("| A-0007-1 | failover | pg1 | pg2 | 0/47B0000 | 0/3400000 | 0/3400000 | 4 | not back | 500 KiB/s | ≥ 20,643,840 B (19.7 MiB), ≈ 40 s, ≤ 36,003,840 B (34.3 MiB) |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_ActionShowsProposerApproverTimesAndOutcome()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        var action = Assert.Single(report.ActionsTaken);
        Assert.Equal(ReportScenarios.OnCall, action.ProposedBy);
        Assert.Equal(ReportScenarios.Commander, action.DecidedBy);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 16, 0, TimeSpan.Zero), action.DecidedAt);
        Assert.Equal(ActionStatus.Succeeded, action.Status);
        Assert.False(action.DryRun);
        Assert.Empty(report.ActionsNotRun);
        Assert.Contains(
            "| Failover (A-0007-1) | pg2 | @U0ONCALL | 2026-03-14 02:14:00 UTC | @U0IC | 2026-03-14 02:16:00 UTC | 2026-03-14 02:16:05 UTC | 2026-03-14 02:16:07 UTC | Succeeded | no | pg2 promoted, timeline 3 → 4 · verification passed: leader pg1 → pg2; app 500 → 200 |",
            markdown, StringComparison.Ordinal);
        Assert.Contains("- **Actions:** 1 taken, 0 dry run, 0 not run.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_RootCauseGivenAtResolutionIsNotAHypothesis()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);

        // assert
        Assert.False(report.RootCause.IsHypothesis);
        Assert.StartsWith("pg1 hung on an I/O stall of its volume", report.RootCause.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(RootCauseFinding.HypothesisMarker, report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_TimelineIsSortedAndNamesPeopleAsPlainMentions()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(report.Timeline.OrderBy(t => t.At).Select(t => t.At), report.Timeline.Select(t => t.At));
        Assert.Equal(incident.Timeline.Count, report.Timeline.Count);
        Assert.Contains("| 2026-03-14 02:10:00 UTC | @U0ONCALL | incident declared: Database outage: API returns 500 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2026-03-14 02:12:00 UTC | @U0ONCALL | incident commander @U0ONCALL → @U0IC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2026-03-14 02:16:00 UTC | @U0IC | approved Failover on pg2 accepting: pg2 is 27.7 MiB behind: that WAL may be lost |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 2026-03-14 02:11:00 UTC | cerberus | diagnostics: PrimaryUnresponsive — The primary pg1 does not answer; pg2 is 27.7 MiB behind. |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("<@", markdown, StringComparison.Ordinal);
        Assert.Contains("| Incident commander | @U0IC |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Declared by | @U0ONCALL |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Severity | CRITICAL |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Channel | #C0INC0007 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_FiguresCompareFirstAndLastDiagnosis()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 10, 5, TimeSpan.Zero), report.FiguresBeforeAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 20, 0, TimeSpan.Zero), report.FiguresAfterAt);
        Assert.Contains(new FigureComparison("Patroni leader", "pg1", "pg2"), report.Figures);
        Assert.Contains(new FigureComparison("Patroni timeline", "3", "4"), report.Figures);
        Assert.Contains(new FigureComparison("App HTTP status", "500", "200"), report.Figures);
        Assert.Contains(new FigureComparison("App latency", "5003 ms", "38 ms"), report.Figures);
        Assert.Contains(new FigureComparison("Max replica lag", "27.7 MiB", null), report.Figures);
        Assert.Contains(new FigureComparison("Client connections", null, "12 / 40 (max_connections)"), report.Figures);
        Assert.Contains(new FigureComparison("WAL size (pg_wal)", "1 GiB", "384 MiB"), report.Figures);
        Assert.Contains("| Connectivity | timeout | ok |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Classification | PrimaryUnresponsive | Healthy |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_IntegrityCheckCarriesTheStatisticsResetCaveat()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.True(report.StatisticsReset);
        Assert.Contains("> **Caveat:** a replica was promoted during this incident.", markdown, StringComparison.Ordinal);
        Assert.Contains("Run `ANALYZE` (`vacuumdb --analyze-only`) on the new primary", markdown, StringComparison.Ordinal);
        Assert.Contains("| audit.logs | 0 | 0 | — | — | — |  |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_LogErrorsAreDedupedCountedAndRedacted()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(
        [
            ("Loop time exceeded", 4),
            ("DCS is not accessible", 1),
            ("FATAL:  terminating connection due to administrator command", 2),
            ("ERROR:  could not connect with password=***", 1),
        ], report.LogErrors.Select(e => (e.Signature, e.Count)).ToList());
        Assert.All(report.LogErrors, e => Assert.Equal(new DateTimeOffset(2026, 3, 14, 2, 10, 5, TimeSpan.Zero), e.FirstSeen));
        Assert.DoesNotContain("checkpoint starting", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(ReportScenarios.LeakedPassword, markdown, StringComparison.Ordinal);
        Assert.Contains("| FATAL:  terminating connection due to administrator command | 2 | 2026-03-14 02:10:05 UTC |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_PreventiveMeasuresFollowTheFindings()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(
            ["Enable automated vacuum.", "Set up WAL archiving to S3.", "Monitor disk usage with alerts.", "Run regular backup restore tests."],
            report.PreventiveMeasures.Where(m => m.FromRunbook).Select(m => m.Text).ToList());
        var derived = report.PreventiveMeasures.Where(m => !m.FromRunbook).Select(m => m.Text).ToList();
        Assert.Contains(derived, t => t.StartsWith("Upgrade Patroni to ≥ 3.1", StringComparison.Ordinal));
        Assert.Contains(derived, t => t.StartsWith("Set `archive_timeout` to 60–300 s", StringComparison.Ordinal));
        Assert.Contains(derived, t => t.StartsWith("Alert when a replica's unflushed WAL exceeds", StringComparison.Ordinal));
        Assert.Contains(derived, t => t.StartsWith("Test restores on a schedule", StringComparison.Ordinal));
        Assert.DoesNotContain(derived, t => t.Contains("Partition audit.logs", StringComparison.Ordinal));
        Assert.DoesNotContain(derived, t => t.Contains("PgBouncer", StringComparison.Ordinal));
        Assert.DoesNotContain(derived, t => t.Contains("max_slot_wal_keep_size", StringComparison.Ordinal));
        Assert.Contains("4. Run regular backup restore tests.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithFailover_FollowUpsAskForAnalyzeFencingAndTheLostWal()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);

        // assert
        Assert.Equal(3, report.FollowUps.Count);
        Assert.StartsWith("Run `ANALYZE` (`vacuumdb --analyze-only`) on the new primary pg2", report.FollowUps[0], StringComparison.Ordinal);
        Assert.StartsWith("Fence pg1 ", report.FollowUps[1], StringComparison.Ordinal);
        Assert.StartsWith("Look for the lost WAL in the archive", report.FollowUps[2], StringComparison.Ordinal);
    }

    [Fact]
    public void ToMarkdown_WithoutFailover_HasTheGoldenStructure()
    {
        // arrange
        var (_, markdown) = Render(ReportScenarios.WithoutFailover);

        // act
        var headings = GoldenFile.Headings(markdown);

        // assert
        Assert.Equal("# INC-2026-0012: Disk full on the primary — post-incident report", headings[0]);
        AssertHeadingsMatchGolden("WithoutFailover.md", markdown);
    }

    [Fact]
    public void Build_WithoutFailover_NoDataLossAndRtoMet()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithoutFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(0, report.DataLoss.LossBytes);
        Assert.Equal(ObjectiveVerdict.Met, report.DataLoss.Verdict);
        Assert.False(report.DataLoss.FailoverHappened);
        Assert.False(report.StatisticsReset);
        Assert.Contains("None: no failover took place, the primary kept all its data.", markdown, StringComparison.Ordinal);
        Assert.Contains("- **Data loss:** none — RPO 15 min met.", markdown, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 5, 2, 8, 45, 0, TimeSpan.Zero), report.Times.Detected);
        Assert.Equal(TimeSpan.FromMinutes(90), report.RecoveryTime.TimeToRecovery);
        Assert.Equal(TimeSpan.FromMinutes(150), report.RecoveryTime.Margin);
        Assert.Contains("RTO 4 h met, 2 h 30 min to spare", markdown, StringComparison.Ordinal);
        Assert.Contains("| Detection → declaration | 15 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Mitigated | 2026-05-02 09:36:00 UTC |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Caveat", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutFailover_RejectedProposalIsListedApartFromTheActionTaken()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithoutFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        var taken = Assert.Single(report.ActionsTaken);
        Assert.Equal((RemediationKind.AuditLogCleanup, ReportScenarios.OnCall, ReportScenarios.Dba), (taken.Kind, taken.ProposedBy, taken.DecidedBy));
        var rejected = Assert.Single(report.ActionsNotRun);
        Assert.Equal((RemediationKind.DropReplicationSlot, ActionStatus.Rejected, ReportScenarios.Dba), (rejected.Kind, rejected.Status, rejected.DecidedBy));
        Assert.Contains("| AuditLogCleanup (A-0012-2) | audit.logs | @U0ONCALL | 2026-05-02 09:10:00 UTC | @U0DBA | 2026-05-02 09:12:00 UTC | 2026-05-02 09:12:10 UTC | 2026-05-02 09:35:10 UTC | Succeeded | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("| DropReplicationSlot (A-0012-1) | old_replica_slot | @U0ONCALL | 2026-05-02 09:05:00 UTC | @U0DBA | 2026-05-02 09:07:00 UTC | — | — | Rejected | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("- **Actions:** 1 taken, 0 dry run, 1 not run.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ConfiguredAuditTable_MeasuresAndDeadTuplesNameThatTableNotAuditLogs()
    {
        // arrange: the clean-up works on a configured table (Cerberus__Cleanup__Table), bloated in the integrity check
        var (incident, integrity, generatedAt) = ReportScenarios.WithoutFailover();
        var renamed = integrity with
        {
            Rows = [.. integrity.Rows.Select(r => r.Schema == "audit" && r.Table == "logs" ? r with { Schema = "app", Table = "events" } : r)],
        };

        // act
        var report = PostIncidentReportBuilder.Build(incident, renamed, generatedAt, auditTable: "app.events");

        // assert
        var derived = report.PreventiveMeasures.Where(m => !m.FromRunbook).ToList();
        Assert.StartsWith("Tune autovacuum on app.events (`ALTER TABLE app.events SET", derived[0].Text, StringComparison.Ordinal);
        Assert.Contains("app.events has 4,200,000 dead tuples (31.8 %)", derived[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("Partition app.events by month", derived[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(report.PreventiveMeasures, m => m.Text.Contains("audit.logs", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_WithoutFailover_DiskFindingsYieldAuditLogWalAndDiskMeasures()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithoutFailover();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        var derived = report.PreventiveMeasures.Where(m => !m.FromRunbook).ToList();
        Assert.Equal(5, derived.Count);
        Assert.Contains("the audit-log clean-up deleted 4,200,000 rows; audit.logs has 4,200,000 dead tuples (31.8 %)", derived[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("Tune autovacuum on audit.logs", derived[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("Partition audit.logs by month", derived[1].Text, StringComparison.Ordinal);
        Assert.StartsWith("Set `archive_timeout`", derived[2].Text, StringComparison.Ordinal);
        Assert.Equal("the WAL archiver was failing; up to 312 WAL segments waited to be archived", derived[2].Reason);
        Assert.StartsWith("Set `max_slot_wal_keep_size`", derived[3].Text, StringComparison.Ordinal);
        Assert.StartsWith("Alert on the data volume at 80 % and 90 %", derived[4].Text, StringComparison.Ordinal);
        Assert.Equal("the data volume reached 96 % used", derived[4].Reason);
        Assert.Contains("| audit.logs | 9,000,000 | 4,200,000 | 31.8 | 2026-05-02 09:35:00 UTC | 2026-04-11 03:00:00 UTC | bloated |", markdown, StringComparison.Ordinal);
        Assert.Equal(["`VACUUM (VERBOSE) audit.logs`: 4,200,000 dead tuples (31.8 %)."], report.FollowUps);
        var error = Assert.Single(report.LogErrors);
        Assert.Equal(("ERROR:  could not extend file \"base/16384/24576\": No space left on device", 3), (error.Signature, error.Count));
        Assert.Contains(new FigureComparison("Disk used", "96 %", "81 %"), report.Figures);
    }

    [Fact]
    public void ToMarkdown_RtoMissedWithHypothesis_HasTheGoldenStructure()
    {
        // arrange
        var (_, markdown) = Render(ReportScenarios.RtoMissedWithHypothesis);

        // act
        var headings = GoldenFile.Headings(markdown);

        // assert
        Assert.Equal("# [DRILL] INC-2026-0020: Connection pool exhausted — post-incident report", headings[0]);
        AssertHeadingsMatchGolden("RtoMissedWithHypothesis.md", markdown);
    }

    [Fact]
    public void Build_RtoMissed_SaysByHowMuch()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.RtoMissedWithHypothesis();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(new DateTimeOffset(2026, 6, 20, 9, 30, 0, TimeSpan.Zero), report.Times.Detected);
        Assert.Equal(new TimeSpan(5, 20, 0), report.RecoveryTime.TimeToRecovery);
        Assert.Equal(ObjectiveVerdict.Missed, report.RecoveryTime.Verdict);
        Assert.Equal(new TimeSpan(1, 20, 0), report.RecoveryTime.Margin);
        Assert.Contains("- **Time to recovery:** 5 h 20 min (detection → resolution) — RTO 4 h missed by 1 h 20 min.", markdown, StringComparison.Ordinal);
        Assert.Contains("| Detection → declaration | 4 h 30 min |", markdown, StringComparison.Ordinal);
        Assert.Contains("Review why the recovery took 5 h 20 min, 1 h 20 min over the 4 h RTO.", report.FollowUps);
    }

    [Fact]
    public void Build_WithoutRootCause_UsesTheLastDiagnosisMarkedAsHypothesis()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.RtoMissedWithHypothesis();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.True(report.RootCause.IsHypothesis);
        Assert.Equal(Classification.ConnectionExhaustion, report.RootCause.Classification);
        Assert.Equal("ConnectionExhaustion: 37 of 37 usable connections are taken; 22 are idle in transaction (cerberus-backend).", report.RootCause.Text);
        Assert.Contains("ConnectionExhaustion: 37 of 37 usable connections are taken; 22 are idle in transaction (cerberus-backend). **(hypothesis — from the diagnostics, not confirmed)**", markdown, StringComparison.Ordinal);
        Assert.Contains(report.FollowUps, f => f.StartsWith("Confirm the root cause", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SwitchoverFromHealthyLeader_NoDataLossButStatisticsCaveat()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.RtoMissedWithHypothesis();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal(0, report.DataLoss.LossBytes);
        Assert.Equal(0d, report.DataLoss.LossSeconds);
        Assert.Equal(ObjectiveVerdict.Met, report.DataLoss.Verdict);
        Assert.Equal("switchover", Assert.Single(report.DataLoss.Failovers).Mode);
        Assert.Contains("None: A-0020-3: switchover from a healthy leader, graceful demotion; verified: timeline 8 after, old leader replica.", markdown, StringComparison.Ordinal);
        Assert.True(report.StatisticsReset);
        Assert.Contains("> **Caveat:**", markdown, StringComparison.Ordinal);
        Assert.Contains("Could not be read at 2026-06-20 14:51:00 UTC: pg_stat_user_tables did not answer within 15 s.", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(report.PreventiveMeasures, m => m.Text.StartsWith("Upgrade Patroni", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_DrillWithUndoneScaleDown_MarksDrillAndAsksToScaleBack()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.RtoMissedWithHypothesis();

        // act
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // assert
        Assert.True(report.Drill);
        Assert.Contains("> **DRILL**", markdown, StringComparison.Ordinal);
        Assert.Equal(2, report.ActionsTaken.Count);
        Assert.True(report.ActionsTaken.Single(a => a.Kind == RemediationKind.ScaleBackendDown).NotUndone);
        var expired = Assert.Single(report.ActionsNotRun);
        Assert.Equal((ActionStatus.Expired, (string?)null), (expired.Status, expired.DecidedBy));
        Assert.Contains("| Succeeded (not undone) |", markdown, StringComparison.Ordinal);
        Assert.Equal(
            "Scale cerberus-backend back to 3 replicas: ScaleBackendDown (A-0020-2) was not undone when the incident was resolved.",
            report.FollowUps[0]);
        Assert.Contains(report.FollowUps, f => f.StartsWith("Run the data integrity check again: pg_stat_user_tables did not answer", StringComparison.Ordinal));
        var derived = report.PreventiveMeasures.Where(m => !m.FromRunbook).ToList();
        Assert.Contains(derived, m => m.Text.StartsWith("Pool connections (PgBouncer)", StringComparison.Ordinal) && m.Reason == "connections reached 100 % of the limit");
        Assert.Contains(derived, m => m.Text.StartsWith("Test restores on a schedule", StringComparison.Ordinal) && m.Reason.Contains("5 h 20 min", StringComparison.Ordinal));
        Assert.Null(report.FiguresAfterAt);
        Assert.All(report.Figures, f => Assert.Null(f.After));
        Assert.Contains("After: no later diagnosis ran.", markdown, StringComparison.Ordinal);
        Assert.Contains(new FigureComparison("Longest transaction", "1 h 30 min", null), report.Figures);
    }

    [Fact]
    public void Build_OpenIncident_RefusesWithTheReason()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0099", "C1", "outage", ReportScenarios.OnCall, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        ReportScenarios.Ok(incident.BeginDiagnosis(ReportScenarios.OnCall, incident.DeclaredAt));

        // act
        var ex = Assert.Throws<InvalidOperationException>(() => PostIncidentReportBuilder.Build(incident, null, incident.DeclaredAt));

        // assert
        Assert.Equal("INC-2026-0099 is still Diagnosing: the document is written when it is resolved.", ex.Message);
    }

    [Fact]
    public void WhyNot_CancelledIncident_SaysCancelledIncidentsGetNoReport()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0098", "C1", "outage", ReportScenarios.OnCall, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        ReportScenarios.Ok(incident.Cancel(ReportScenarios.OnCall, ReportScenarios.Team, incident.DeclaredAt.AddMinutes(1)));

        // act
        var why = ReportEligibility.WhyNot(incident);

        // assert
        Assert.Equal("INC-2026-0098 was cancelled: cancelled incidents get no report.", why);
    }

    [Fact]
    public void Build_ResolvedWithoutDiagnosisOrIntegrity_SaysWhatIsMissing()
    {
        // arrange
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0097", "C1", "outage", ReportScenarios.OnCall, at);
        ReportScenarios.Ok(incident.Resolve(ReportScenarios.OnCall, null, false, ReportScenarios.Team, at.AddMinutes(5)));

        // act
        var report = PostIncidentReportBuilder.Build(incident, null, at.AddMinutes(6));
        var markdown = report.ToMarkdown();

        // assert
        Assert.Equal("not recorded: nobody gave a root cause and no diagnosis ran.", report.RootCause.Text);
        Assert.Empty(report.Figures);
        Assert.Contains("No diagnosis ran.", markdown, StringComparison.Ordinal);
        Assert.Contains("Not collected.", markdown, StringComparison.Ordinal);
        Assert.Contains("Run the data integrity check (`pg_stat_user_tables`): it was not collected.", report.FollowUps);
        Assert.Equal(PostIncidentReportMarkdown.Sections, GoldenFile.Headings(markdown).Skip(1).ToList());
    }

    [Fact]
    public void ToMarkdown_FailedActionWithMarkupInItsOutcome_EscapesItEverywhere()
    {
        // arrange
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0096", "C1", "outage", ReportScenarios.OnCall, at);
        ReportScenarios.Ok(incident.BeginDiagnosis(ReportScenarios.OnCall, at));
        ReportScenarios.Ok(incident.CompleteDiagnosis(new DiagnosisReport(at, at, [], Classification.Inconclusive, "nothing conclusive", []), at.AddMinutes(1)));
        ReportScenarios.Ok(incident.ProposeAction(new ActionRecord
        {
            Id = "A-0096-1",
            Kind = RemediationKind.Checkpoint,
            Target = "pg1",
            Description = "CHECKPOINT",
            BasedOn = "diagnosis",
            ObservedFingerprint = "fp",
            ProposedBy = ReportScenarios.OnCall,
            ProposedAt = at.AddMinutes(2),
            ExpiresAt = at.AddMinutes(17),
        }, ReportScenarios.Team, at.AddMinutes(2)));
        ReportScenarios.Ok(incident.Approve("A-0096-1", ReportScenarios.OnCall, false, ReportScenarios.Team, at.AddMinutes(3)));
        ReportScenarios.Ok(incident.MarkStarted("A-0096-1", at.AddMinutes(3)));
        ReportScenarios.Ok(incident.RecordExecution("A-0096-1", false, "<img src=x onerror=alert(1)> | broke", null, at.AddMinutes(4)));
        ReportScenarios.Ok(incident.Resolve(ReportScenarios.OnCall, "a <b>bold</b> claim", false, ReportScenarios.Team, at.AddMinutes(30)));

        // act
        var report = PostIncidentReportBuilder.Build(incident, null, at.AddMinutes(31));
        var markdown = report.ToMarkdown();

        // assert
        Assert.DoesNotMatch(@"(?<!\\)<(?:img|b>|/b>)", markdown);
        Assert.Contains("a \\<b\\>bold\\</b\\> claim", markdown, StringComparison.Ordinal);
        Assert.Contains("| Failed | no | \\<img src=x onerror=alert(1)\\> \\| broke |", markdown, StringComparison.Ordinal);
        Assert.Contains("- [ ] Find out why Checkpoint on pg1 (A-0096-1) failed: \\<img src=x onerror=alert(1)\\> \\| broke", markdown, StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Failed, Assert.Single(report.ActionsTaken).Status);
    }
}
