using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>The classifier on the real primary: hung and starting primaries, the bot's role limit, a target that moved, split brain, another cluster.</summary>
public sealed class DiagnosisClassifierPrimaryTests
{
    private static ProbeResult Connectivity(ProbeStatus status, params (string Key, string Value)[] facts) =>
        Some.Result(ProbeNames.Connectivity, status, [(DiagnosisFactKeys.PostgresTarget, "10.0.0.2:5432"), (DiagnosisFactKeys.ConnectTimeoutSeconds, "5"), .. facts]);

    private static ProbeResult PatroniWith(params (string Key, string Value)[] facts) =>
        Some.Result(ProbeNames.Patroni, ProbeStatus.Ok,
        [
            (FactKeys.PatroniLeader, "pg2"), (DiagnosisFactKeys.PatroniLeaderHealthy, "true"),
            (DiagnosisFactKeys.PatroniCandidate, "pg1"), (DiagnosisFactKeys.PatroniCandidateLagBytes, "0"),
            (FactKeys.PatroniMembers, "pg1:replica:running,pg2:leader:running"), .. facts,
        ]);

    [Fact]
    public void Classify_TrivialQueryTimedOut_PrimaryUnresponsiveNamedHungWithoutSwitchover()
    {
        // arrange
        var results = Some.HealthyWith(Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "hung")), PatroniWith());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.StartsWith("Primary unresponsive: 10.0.0.2:5432 accepted the connection but a trivial query timed out (hung", verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain(RemediationKind.Switchover, verdict.Recommended);
        Assert.Contains("fence pg2", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_CannotConnectNowAndNoLeader_PrimaryUnresponsiveWithSqlStateAndFailover()
    {
        // arrange
        var results = Some.HealthyWith(Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "starting"), (DiagnosisFactKeys.SqlState, "57P03")), Some.PatroniNoLeader());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Contains("10.0.0.2:5432 is down or starting (SQLSTATE 57P03", verdict.Sentence, StringComparison.Ordinal);
        Assert.Equal(RemediationKind.Failover, verdict.Recommended[0]);
    }

    [Fact]
    public void Classify_BotsRoleAtItsConnectionLimit_InconclusiveNotExhaustion()
    {
        // arrange
        var unknown = new[] { ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk }
            .Select(p => Some.Result(p, ProbeStatus.Unknown, (FactKeys.Connectivity, "role_limit")));
        var results = Some.HealthyWith([Connectivity(ProbeStatus.Warn, (FactKeys.Connectivity, "role_limit"), (DiagnosisFactKeys.SqlState, "53300")), .. unknown]);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Contains("too many connections for role", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("not server-wide exhaustion", verdict.Sentence, StringComparison.Ordinal);
        Assert.Empty(verdict.Recommended);
    }

    [Fact]
    public void Classify_ConfiguredTargetIsAStandbyAfterFailover_AftermathNotSwitchover()
    {
        // arrange
        var results = Some.HealthyWith(
            Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "ok"), (DiagnosisFactKeys.TargetSource, "patroni_leader"),
                (DiagnosisFactKeys.ConfiguredTarget, "postgres-primary:5432"), (DiagnosisFactKeys.ConfiguredInRecovery, "true")),
            PatroniWith((DiagnosisFactKeys.LastSwitchTimeline, "2"), (DiagnosisFactKeys.LastSwitchLeader, "pg2"), (DiagnosisFactKeys.PreviousLeader, "pg1"),
                (DiagnosisFactKeys.LastSwitchAt, "2026-12-03T10:20:00Z"), (DiagnosisFactKeys.LastSwitchAgeSeconds, "120")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.Equal([RemediationKind.Analyze], verdict.Recommended);
        Assert.Contains("then ANALYZE the largest tables on pg2", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("Patroni has already failed over: the configured target postgres-primary:5432 is now a standby and pg2 at 10.0.0.2:5432 leads (timeline 2, to pg2, at 2026-12-03T10:20:00Z", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("verify that pg2 takes writes", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("watch or fence pg1", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RecentSwitchAndOldPrimaryRefuses_NoSwitchoverAgainstTheNewLeader()
    {
        // arrange: the bot still looks at the old primary (no leader resolution) and it refuses
        var results = Some.HealthyWith(Some.ConnectivityRefused(),
            PatroniWith((DiagnosisFactKeys.LastSwitchTimeline, "3"), (DiagnosisFactKeys.LastSwitchLeader, "pg2"), (DiagnosisFactKeys.LastSwitchAgeSeconds, "60")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.Switchover, verdict.Recommended);
        Assert.DoesNotContain(RemediationKind.Failover, verdict.Recommended);
        Assert.Contains("Patroni's leader changed recently (timeline 3, to pg2", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_OldSwitchInHistory_NoAftermath()
    {
        // arrange
        var results = Some.HealthyWith(PatroniWith((DiagnosisFactKeys.LastSwitchTimeline, "2"), (DiagnosisFactKeys.LastSwitchAgeSeconds, "86400")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
        Assert.DoesNotContain("leader changed", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_TwoMembersReportMaster_SplitBrainOnlyTheFence()
    {
        // arrange
        var results = Some.HealthyWith(PatroniWith((DiagnosisFactKeys.SplitBrain, "pg1, pg2")) with { Status = ProbeStatus.Crit });

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.StartsWith("Split brain: more than one server takes writes (pg1, pg2); pg2 holds Patroni's leader lock", verdict.Sentence, StringComparison.Ordinal);
        Assert.Equal([RemediationKind.FenceOldLeader], verdict.Recommended);
    }

    [Fact]
    public void Classify_DatabaseOutsideThePatroniCluster_InconclusiveNamingBothIdentifiers()
    {
        // arrange
        var results = Some.HealthyWith(Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "ok"), (DiagnosisFactKeys.OutsideCluster, "true"),
            (DiagnosisFactKeys.SystemIdentifier, "111"), (DiagnosisFactKeys.ClusterSystemIdentifier, "222")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.Contains("10.0.0.2:5432 is not part of the Patroni cluster (system identifier 111, the cluster's database_system_identifier 222)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Empty(verdict.Recommended);
    }

    [Fact]
    public void Classify_ReplicaMissingFromPgStatReplication_ReplicationBroken()
    {
        // arrange
        var replication = Some.Result(ProbeNames.Replication, ProbeStatus.Crit, (FactKeys.ReplicationStreaming, "0"), (FactKeys.InactiveSlots, "0"),
            (FactKeys.ArchiverFailing, "false"), (DiagnosisFactKeys.MissingStandbys, "pg2 (running in Patroni)"));
        var results = Some.HealthyWith(replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Contains("pg2 (running in Patroni) not connected to the leader (no pg_stat_replication row)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("WAL receiver is stopped or cannot connect", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ConfiguredTargetInRecoveryWithoutPatroni_NotHealthy()
    {
        // arrange
        var target = Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "ok"), (DiagnosisFactKeys.InRecovery, "true"), (DiagnosisFactKeys.ConfiguredInRecovery, "true"));
        var results = Some.HealthyWith(target, Some.NotConfigured(ProbeNames.Patroni));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.NotEqual(Classification.Healthy, verdict.Classification);
    }

    [Fact]
    public void Classify_ConfiguredTargetIsAStandbyWithoutAnySwitch_InconclusivePointingAtTheConfiguration()
    {
        // arrange
        var results = Some.HealthyWith(
            Connectivity(ProbeStatus.Crit, (FactKeys.Connectivity, "ok"), (DiagnosisFactKeys.TargetSource, "patroni_leader"),
                (DiagnosisFactKeys.ConfiguredTarget, "10.0.0.9:5432"), (DiagnosisFactKeys.ConfiguredInRecovery, "true")),
            PatroniWith());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Inconclusive, verdict.Classification);
        Assert.StartsWith("Inconclusive: the configured target 10.0.0.9:5432 is a standby, not the primary, and Patroni's /history shows no failover; the checks ran on Patroni's leader pg2 at 10.0.0.2:5432", verdict.Sentence, StringComparison.Ordinal);
    }
}
