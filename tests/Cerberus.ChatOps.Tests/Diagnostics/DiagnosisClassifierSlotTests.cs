using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>Slot advice as Patroni 3.0.2 owns slots: no "foreign" claim without /cluster, lost slots need a reinit.</summary>
public sealed class DiagnosisClassifierSlotTests
{
    private static ProbeResult InactiveSlot(string names, string retained, params (string Key, string Value)[] more) =>
        Some.Result(ProbeNames.Replication, ProbeStatus.Crit,
            [(FactKeys.InactiveSlots, names.Split(',').Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             (DiagnosisFactKeys.InactiveSlotNames, names), (FactKeys.SlotRetainedBytes, retained), .. more]);

    private static ProbeResult FullWal() =>
        Some.Result(ProbeNames.Disk, ProbeStatus.Warn, (FactKeys.WalBytes, "3221225472"), (DiagnosisFactKeys.WalOverLimit, "true"));

    [Fact]
    public void Classify_DiskFullByAMembersSlot_NoDropProposedAndSaysBringTheMemberBack()
    {
        // arrange: pg2 is a current member, so slot pg2 is Patroni's
        var results = Some.HealthyWith(Some.Volume(95), InactiveSlot("pg2", "3221225472"), FullWal());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.DropReplicationSlot, verdict.Recommended);
        Assert.Contains("inactive replication slot pg2 retains 3 GiB of WAL but is Patroni's slot for pg2: bring that member back (or reinitialise it) rather than dropping its slot", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DiskFullWithPatroniUnreachable_NoSlotCalledForeignNoDropProposed()
    {
        // arrange
        var results = Some.HealthyWith(Some.Volume(95), InactiveSlot("old_standby", "3221225472"), FullWal(), Some.PatroniUnreachable());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.DropReplicationSlot, verdict.Recommended);
        Assert.Contains("Patroni's /cluster did not answer, so whether it is a stopped member's slot is unknown and no slot drop is proposed until Patroni answers", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_InactiveSlotWithPatroniUnreachable_ReplicationAdviceDoesNotClaimForeignOrMember()
    {
        // arrange
        var results = Some.HealthyWith(InactiveSlot("old_standby", "40499784"), Some.PatroniUnreachable());

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.DoesNotContain(RemediationKind.DropReplicationSlot, verdict.Recommended);
        Assert.DoesNotContain("dropping old_standby", verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("belongs to a Patroni member", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_LostSlotOfAMember_SaysReinitialiseNotBringBack()
    {
        // arrange: max_slot_wal_keep_size invalidated pg2's slot (wal_status lost)
        var replication = InactiveSlot("pg2", "0", (DiagnosisFactKeys.LostSlots, "1"), (DiagnosisFactKeys.LostSlotNames, "pg2"));
        var results = Some.HealthyWith(replication);

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.ReplicationBroken, verdict.Classification);
        Assert.Equal([RemediationKind.ReinitializeReplica], verdict.Recommended);
        Assert.Contains("slot pg2 is lost (wal_status lost): the WAL pg2 needs is gone, so reinitialise the replica (patronictl reinit <scope> pg2, or POST /reinitialize on pg2: `/dbincident propose reinit pg2`)", verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("bring that member back rather", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_LostSlotOfNoMember_ReinitialiseOrReseedTheConsumer()
    {
        // arrange
        var replication = InactiveSlot("archive", "0", (DiagnosisFactKeys.LostSlots, "1"), (DiagnosisFactKeys.LostSlotNames, "archive"));

        // act
        var verdict = DiagnosisClassifier.Classify(Some.HealthyWith(replication));

        // assert
        Assert.Contains("slot archive is lost (wal_status lost): its consumer can no longer catch up from WAL, so reinitialise the replica (patronictl reinit / POST /reinitialize) or re-seed that consumer", verdict.Sentence, StringComparison.Ordinal);
        Assert.Empty(verdict.Recommended);
    }

    [Theory]
    [InlineData("pg2", "pg2")]
    [InlineData("postgres-replica-0", "postgres_replica_0")]
    [InlineData("Node.One", "node_one")]
    [InlineData("a@b", "au0064b")]
    public void SlotNameOf_MemberName_MatchesPatronisSlotNameFromMemberName(string member, string expected)
    {
        // arrange / act
        var slot = DiagnosisSignals.SlotNameOf(member);

        // assert
        Assert.Equal(expected, slot);
    }
}
