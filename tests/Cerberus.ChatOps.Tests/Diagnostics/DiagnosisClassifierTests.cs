using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class DiagnosisClassifierTests
{
    [Fact]
    public void Classify_AllOk_HealthyWithoutActions()
    {
        // arrange
        var results = Some.Healthy();

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.StartsWith("Healthy: 5 of 5 checks passed", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("Patroni leader pg1, failover candidate pg2 (lag 0 B)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_HealthyWithAWarning_HealthyAndNamesTheWarning()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectionsAt(85));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.Contains("1 warning(s) (connections: connections Warn)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TimeoutAndNoLeader_PrimaryUnresponsiveRecommendsFailoverThenScaling()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityTimeout(), Some.PatroniNoLeader());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal([RemediationKind.Failover, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp], verdict.Recommended);
        Assert.Equal(
            "Primary unresponsive: connecting to 127.0.0.1:5432 timed out after 5 s (TCP accepted, the startup never answered) and Patroni reports no leader; failover to pg2 (lag 0 B) is the runbook's next step.",
            verdict.Sentence);
    }

    [Fact]
    public void Classify_RefusedAndLeaderHung_PrimaryUnresponsiveNamesTheLeaderProblem()
    {
        // arrange
        var patroni = Some.Result(ProbeNames.Patroni, ProbeStatus.Crit, (FactKeys.PatroniLeader, "pg1"), (DiagnosisFactKeys.PatroniLeaderHealthy, "false"),
            (DiagnosisFactKeys.PatroniLeaderProblem, "did not answer /patroni within 3 s (its PostgreSQL may be hung)"),
            (DiagnosisFactKeys.PatroniCandidate, "pg2"), (DiagnosisFactKeys.PatroniCandidateLagBytes, "2048"));
        var results = Some.HealthyWith(Some.ConnectivityRefused(), patroni);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal(RemediationKind.Failover, verdict.Recommended[0]);
        Assert.Contains("was refused and Patroni leader pg1 did not answer /patroni within 3 s", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("failover to pg2 (lag 2 KiB)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TimeoutButPatroniLeaderHealthy_RecommendsFencingNotSwitchover()
    {
        // arrange: TCP accepted, the startup never answered, Patroni content (a hung postmaster)
        var results = Some.HealthyWith(Some.ConnectivityTimeout());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert: Patroni 3.0.2 cannot finish a switchover from a hung postmaster (its demote CHECKPOINT hangs)
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal([RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp], verdict.Recommended);
        Assert.Contains("although Patroni reports pg1 as a running leader; a switchover cannot finish while the postmaster hangs", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("fence pg1", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("Patroni then fails over to pg2 (lag 0 B)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RefusedButPatroniLeaderHealthy_PointsAtTheBotsAddress()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityRefused());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal(RemediationKind.Switchover, verdict.Recommended[0]);
        Assert.Contains("check the address and network path the bot uses, then switch over to pg2 (lag 0 B)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TimeoutAndNoCandidate_ScalesDownFirstAndSaysWhy()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityTimeout(), Some.PatroniNoLeader(candidate: false));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal(RemediationKind.ScaleBackendDown, verdict.Recommended[0]);
        Assert.Contains("no replica qualifies for failover (pg2 (lag unknown))", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TimeoutAndPatroniUnreachable_PrimaryUnresponsiveAndSaysNoMemberAnswered()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityTimeout(), Some.PatroniUnreachable());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Contains("no Patroni member answered", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RefusedWithoutPatroniConfigured_PrimaryUnresponsive()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityRefused(), Some.NotConfigured(ProbeNames.Patroni));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Contains("Patroni is not configured", verdict.Sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(93.0, "", "the data volume is 93 % used (1 GiB free)")]
    [InlineData(50.0, "no_space", "the PostgreSQL log shows No space left on device")]
    public void Classify_DiskEvidence_DiskFullRecommendsExpansionThenAuditLogCleanup(double usedPercent, string signatures, string expected)
    {
        // arrange
        var results = Some.HealthyWith(Some.Volume(usedPercent), Some.KubernetesLog(signatures));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Equal([RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup], verdict.Recommended);
        Assert.Contains(expected, verdict.Sentence, StringComparison.Ordinal);
        Assert.EndsWith("; growing the data volume (expand-volume, when its StorageClass allows expansion) buys room without deleting anything and needs no SQL.", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DiskFullWithTempFilesLogsAndReadyBacklog_NamesThemAndTheUnmeasuredOnes()
    {
        // arrange
        var disk = Some.Result(ProbeNames.Disk, ProbeStatus.Ok,
            (DiagnosisFactKeys.TempFilesBytes, (3L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (DiagnosisFactKeys.ArchiveReadyBytes, (640L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (DiagnosisFactKeys.ServerLogBytes, "4096"),
            (DiagnosisFactKeys.UnmeasuredConsumers, "server logs,pg_wal"));
        var results = Some.HealthyWith(Some.Volume(96), disk);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Contains(
            "the data volume is 96 % used (1 GiB free), besides the tables: temp files at least 3 GiB (queries spilling to disk: cancelling them frees it), 640 MiB of pg_wal waiting for the archiver (.ready), server logs unknown, pg_wal unknown;",
            verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("server logs 4 KiB", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DiskFullExplainedByInactiveSlot_DropsSlotAndCheckpointsBeforeCleanup()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Crit, (FactKeys.InactiveSlots, "1"),
            (DiagnosisFactKeys.InactiveSlotNames, "old_standby"), (FactKeys.SlotRetainedBytes, "3221225472"));
        var disk = Some.Result(ProbeNames.Disk, ProbeStatus.Warn, (FactKeys.WalBytes, "3221225472"), (DiagnosisFactKeys.WalOverLimit, "true"));
        var results = Some.HealthyWith(Some.Volume(95), replication, disk);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Equal(
            [RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint, RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup],
            verdict.Recommended);
        Assert.Contains("inactive replication slot old_standby retains 3 GiB of WAL", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("also replication broken", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DiskFullWithFailingArchiver_CheckpointAfterFixingArchiveCommand()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Crit, (FactKeys.ArchiverFailing, "true"), (FactKeys.ArchiveReadyCount, "120"));
        var results = Some.HealthyWith(Some.Volume(91), replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Equal([RemediationKind.Checkpoint, RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup], verdict.Recommended);
        Assert.Contains("fix archive_command", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_WalOverLimitWithoutVolumeFigure_SaysFreeSpaceUnknownNotDiskFull()
    {
        // arrange: no exec df, so no volume figure; pg_wal above its limit alone is not a full disk
        var disk = Some.Result(ProbeNames.Disk, ProbeStatus.Warn, (FactKeys.WalBytes, "4294967296"), (DiagnosisFactKeys.WalOverLimit, "true"),
            (DiagnosisFactKeys.WalLimitBytes, "2147483648"));
        var results = Some.HealthyWith(disk);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.NotEqual(Classification.DiskFull, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.AuditLogCleanup, verdict.Recommended);
        Assert.DoesNotContain("Disk full", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("free space unknown (the data volume was not measured) while pg_wal holds 4 GiB, more than the 2 GiB that 2 × max(max_wal_size, wal_keep_size) plus the WAL slots retain explains", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("measure the volume (Cerberus__Kubernetes__PrometheusUrl for kubelet_volume_stats_available_bytes, Cerberus__Kubernetes__KubeletVolumeStats=true, or Cerberus__Kubernetes__ExecDiskProbe=true)", verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("no runbook action is needed", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NoSpaceInTheLogWithoutVolumeFigure_DiskFullSayingFreeSpaceUnknown()
    {
        // arrange
        var results = Some.HealthyWith(Some.KubernetesLog("no_space"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Contains("No space left on device (free space unknown: the volume was not measured)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_WalOverLimitAndVolume85Percent_DiskFullNamesTheWalLimit()
    {
        // arrange
        var disk = Some.Result(ProbeNames.Disk, ProbeStatus.Warn, (FactKeys.WalBytes, "4294967296"), (DiagnosisFactKeys.WalOverLimit, "true"),
            (DiagnosisFactKeys.WalLimitBytes, "2147483648"));
        var results = Some.HealthyWith(disk, Some.Volume(85));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Contains("pg_wal holds 4 GiB, more than the 2 GiB that 2 × max(max_wal_size, wal_keep_size) plus the WAL slots retain explains", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_WalOverLimitButVolumeHalfEmpty_NotDiskFull()
    {
        // arrange
        var disk = Some.Result(ProbeNames.Disk, ProbeStatus.Warn, (FactKeys.WalBytes, "4294967296"), (DiagnosisFactKeys.WalOverLimit, "true"));
        var results = Some.HealthyWith(disk, Some.Volume(50));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.Contains("disk: disk Warn", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_Saturation97_ConnectionExhaustionNamesOffenderAndIdleInTransaction()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectionsAt(97.3, idleInTx: 12));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ConnectionExhaustion, verdict.Classification);
        Assert.Equal([RemediationKind.TerminateSessions, RemediationKind.RestartBackend, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp], verdict.Recommended);
        Assert.Contains("scaling the backend down releases its pool too, but is an outage: the last resort", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("(97 %)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("12 sessions are idle in transaction, the oldest for 7 min", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("cerberus-backend as app from 10.0.0.5", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_Connect53300_ConnectionExhaustionNotPrimaryUnresponsive()
    {
        // arrange
        var connectivity = Some.Result(ProbeNames.Connectivity, ProbeStatus.Crit, (FactKeys.Connectivity, "too_many_clients"),
            (DiagnosisFactKeys.PostgresTarget, "127.0.0.1:5432"), (DiagnosisFactKeys.SqlState, "53300"));
        var connections = Some.Result(ProbeNames.Connections, ProbeStatus.Unknown, (DiagnosisFactKeys.SqlState, "53300"));
        var results = Some.HealthyWith(connectivity, connections);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ConnectionExhaustion, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.Failover, verdict.Recommended);
        Assert.Contains("refuses new connections with 53300 too many clients", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_LogSignatureTooManyClients_ConnectionExhaustion()
    {
        // arrange
        var results = Some.HealthyWith(Some.KubernetesLog("too_many_clients,panic"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ConnectionExhaustion, verdict.Classification);
    }

    [Fact]
    public void Classify_ForeignInactiveSlot_ReplicationBrokenDropsSlotAndCheckpoints()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Warn, (FactKeys.InactiveSlots, "1"),
            (DiagnosisFactKeys.InactiveSlotNames, "cerberus_test_slot"), (FactKeys.SlotRetainedBytes, "40499784"));
        var results = Some.HealthyWith(replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Equal([RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint], verdict.Recommended);
        Assert.Contains("inactive slot cerberus_test_slot retains 38.6 MiB of WAL", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_InactiveSlotOfStoppedPatroniMember_DoesNotRecommendDroppingIt()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Warn, (FactKeys.InactiveSlots, "1"),
            (DiagnosisFactKeys.InactiveSlotNames, "pg_2"), (FactKeys.SlotRetainedBytes, "16777216"));
        var patroni = Some.Result(ProbeNames.Patroni, ProbeStatus.Crit, (FactKeys.PatroniLeader, "pg1"), (DiagnosisFactKeys.PatroniLeaderHealthy, "true"),
            (FactKeys.PatroniMembers, "pg1:leader:running,pg-2:replica:stopped"), (DiagnosisFactKeys.PatroniUnhealthyReplicas, "pg-2 (stopped)"));
        var results = Some.HealthyWith(replication, patroni);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.Contains("replica pg-2 (stopped)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("bring that member back rather than dropping its slot", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ArchiverFailingOnly_ReplicationBrokenWithoutAutomaticAction()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Crit, (FactKeys.ArchiverFailing, "true"), (FactKeys.ArchiveReadyCount, "3"));
        var results = Some.HealthyWith(replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.Contains("the archiver is failing (3 segment(s) wait as .ready)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ReplicaLagAboveFailoverLimit_ReplicationBroken()
    {
        // arrange
        var patroni = Some.Result(ProbeNames.Patroni, ProbeStatus.Warn, (FactKeys.PatroniLeader, "pg1"), (DiagnosisFactKeys.PatroniLeaderHealthy, "true"),
            (DiagnosisFactKeys.PatroniLaggingReplicas, "pg2 (lag 5 MiB > 1 MiB)"));
        var results = Some.HealthyWith(patroni);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Contains("pg2 (lag 5 MiB > 1 MiB)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_StandbyReceiverStopped_ReplicationBroken()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Crit, (DiagnosisFactKeys.InRecovery, "true"), (DiagnosisFactKeys.WalReceiverStatus, "none"));
        var results = Some.HealthyWith(replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Contains("this standby's WAL receiver is none", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_PrimaryDownAndDiskFull_PrimaryFirstThenDiskActionsAppended()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityRefused(), Some.PatroniNoLeader(), Some.Volume(97), Some.KubernetesLog("no_space,panic"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal(
            [RemediationKind.ExpandVolume, RemediationKind.Failover, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp, RemediationKind.AuditLogCleanup],
            verdict.Recommended);
        Assert.Contains("; the PostgreSQL log shows No space left on device: a server that cannot write its WAL stops (PANIC) and cannot start again until there is room, so no SQL remedy can run; grow the data volume first (expand-volume", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("; also disk full: the data volume is 97 % used", verdict.Sentence, StringComparison.Ordinal);
        Assert.EndsWith(".", verdict.Sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(92.5, "", "the data volume is 92.5 % used")]
    [InlineData(null, "no_space", "the PostgreSQL log shows No space left on device")]
    public void Classify_PrimaryStartingOnAFullDisk_ExpansionFirstBecauseNoSqlCanRun(double? usedPercent, string signatures, string expected)
    {
        // arrange: the crash-restart loop after a WAL write PANIC answers 57P03, Patroni still lists the leader
        var results = Some.HealthyWith(
            Some.Result(ProbeNames.Connectivity, ProbeStatus.Crit, (FactKeys.Connectivity, "starting"), (DiagnosisFactKeys.SqlState, "57P03")),
            Some.KubernetesLog(signatures));
        if (usedPercent is { } p)
        {
            results.Add(Some.Volume(p));
        }

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal(RemediationKind.ExpandVolume, verdict.Recommended[0]);
        Assert.Single(verdict.Recommended, RemediationKind.ExpandVolume);
        Assert.Contains($"; {expected}: a server that cannot write its WAL stops (PANIC)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_PrimaryDownWithRoomOnTheDisk_NoExpansionOffered()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityRefused(), Some.PatroniNoLeader(), Some.Volume(60));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.ExpandVolume, verdict.Recommended);
        Assert.DoesNotContain("expand-volume", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_SwitchoverBranchWithExhaustion_NeverAddsFailover()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityRefused(), Some.ConnectionsAt(99));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Contains(RemediationKind.Switchover, verdict.Recommended);
        Assert.DoesNotContain(RemediationKind.Failover, verdict.Recommended);
        Assert.Equal(verdict.Recommended.Count, verdict.Recommended.Distinct().Count());
    }

    [Fact]
    public void Classify_MostProbesUnknown_Inconclusive()
    {
        // arrange
        var results = new List<ProbeResult>
        {
            Some.Result(ProbeNames.Connectivity, ProbeStatus.Unknown, (FactKeys.Connectivity, "error")),
            Some.Result(ProbeNames.Connections, ProbeStatus.Unknown),
            Some.Result(ProbeNames.Disk, ProbeStatus.Unknown),
            Some.DiskOk() with { Probe = ProbeNames.Replication },
        };

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.Contains("3 of 4 checks could not tell", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_SplitBrainCritFitsNoBranch_InconclusiveNamesIt()
    {
        // arrange
        var patroni = Some.Result(ProbeNames.Patroni, ProbeStatus.Crit, (FactKeys.PatroniLeader, string.Empty), (DiagnosisFactKeys.PatroniLeaderCount, "2"));
        var results = Some.HealthyWith(patroni with { Summary = "2 members claim leadership (pg1, pg2): split brain" });

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Contains("a critical finding fits no runbook branch (patroni: 2 members claim leadership (pg1, pg2): split brain)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_AuthFailure_InconclusiveAndPointsAtTheSetting()
    {
        // arrange
        var connectivity = Some.Result(ProbeNames.Connectivity, ProbeStatus.Warn, (FactKeys.Connectivity, "auth"),
            (DiagnosisFactKeys.PostgresTarget, "db:5432"), (DiagnosisFactKeys.SqlState, "28P01"));
        var results = Some.HealthyWith(connectivity);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Contains("db:5432 answers but rejects the bot's credentials (28P01)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("Cerberus__Postgres__ConnectionString", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_OnlyConnectionsRanWithAWarning_HealthyNotInconclusive()
    {
        // arrange
        var results = new[] { Some.ConnectionsAt(85) };

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.StartsWith("Healthy: 1 of 1 checks passed", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_OnlyPlatformProbesAnswered_InconclusiveBecauseNeitherDatabaseNorPatroniAsked()
    {
        // arrange
        var results = new[]
        {
            Some.Result(ProbeNames.App, ProbeStatus.Ok, (FactKeys.AppHttpStatus, "200")),
            Some.Result(ProbeNames.Kubernetes, ProbeStatus.Ok),
            Some.NotConfigured(ProbeNames.Connectivity),
            Some.NotConfigured(ProbeNames.Patroni),
        };

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Equal("Inconclusive: neither the database nor Patroni could be asked; a person should read the details before acting.", verdict.Sentence);
    }

    [Fact]
    public void Classify_PrimaryDownAndApp503_SentenceCarriesTheAppSymptom()
    {
        // arrange
        var app = Some.Result(ProbeNames.App, ProbeStatus.Crit, (FactKeys.AppHttpStatus, "503"), (FactKeys.AppLatencyMs, "120"));
        var results = Some.HealthyWith(Some.ConnectivityTimeout(), Some.PatroniNoLeader(), app);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.EndsWith("is the runbook's next step; the app's health URL answers 503 (120 ms).", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DatabaseHealthyButAppFailing_HealthyPointsOutsideTheDatabase()
    {
        // arrange
        var app = Some.Result(ProbeNames.App, ProbeStatus.Unknown);
        var results = Some.HealthyWith(app);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.EndsWith("but the app's health URL does not answer, so the fault is likely outside the database.", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_AppAnswers200_NoAppClause()
    {
        // arrange
        var app = Some.Result(ProbeNames.App, ProbeStatus.Ok, (FactKeys.AppHttpStatus, "200"), (FactKeys.AppLatencyMs, "35"));
        var results = Some.HealthyWith(app);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.DoesNotContain("app", verdict.Sentence, StringComparison.Ordinal);
        Assert.EndsWith("no runbook action is needed.", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NothingConfigured_InconclusiveAndSaysWhatToSet()
    {
        // arrange
        var results = new[] { Some.NotConfigured(ProbeNames.Connectivity), Some.NotConfigured(ProbeNames.Patroni) };

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Contains("no check is configured", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NotConfiguredPatroniOnStandalone_StillHealthy()
    {
        // arrange
        var results = Some.HealthyWith(Some.NotConfigured(ProbeNames.Patroni));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.StartsWith("Healthy: 4 of 4 checks passed", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_SecretInAProbeSummary_SentenceIsRedacted()
    {
        // arrange
        var connections = Some.Result(ProbeNames.Connections, ProbeStatus.Warn) with { Summary = "failed for Host=db;Password=hunter2;Username=x" };
        var results = Some.HealthyWith(connections);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.DoesNotContain("hunter2", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_SameResultsInAnyOrder_SameVerdict()
    {
        // arrange
        var results = Some.HealthyWith(Some.ConnectivityTimeout(), Some.PatroniNoLeader(), Some.Volume(95));
        var reversed = Enumerable.Reverse(results).ToList();

        // act
        var first = DiagnosisClassifier.Classify(results);
        var second = DiagnosisClassifier.Classify(reversed);

        // assert
        Assert.Equal(first.Classification, second.Classification);
        Assert.Equal(first.Sentence, second.Sentence);
        Assert.Equal(first.Recommended, second.Recommended);
    }
}
