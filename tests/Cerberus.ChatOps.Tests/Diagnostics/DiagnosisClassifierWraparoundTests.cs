using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using static Cerberus.ChatOps.Domain.Diagnostics.WraparoundFactKeys;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>The wraparound branch: what holds the horizon first, then VACUUM (FREEZE); urgency decides the rank.</summary>
public sealed class DiagnosisClassifierWraparoundTests
{
    /// <summary>A wraparound result; <paramref name="more"/> overrides the defaults by key.</summary>
    private static ProbeResult Wraparound(long age, string stage, params (string Key, string Value)[] more)
    {
        (string Key, string Value)[] defaults =
            [(MaxAge, age.ToString(System.Globalization.CultureInfo.InvariantCulture)), (OldestDatabase, "cerberus"), (Database, "cerberus"),
             (Threshold, "200000000"), (Stage, stage), (OldTables, "audit.logs:250000000,public.orders:210000000"), (Holders, "0")];
        var facts = defaults.Where(d => !more.Any(m => m.Key == d.Key)).Concat(more).ToArray();
        return Some.Result(ProbeNames.Wraparound, stage is "over_threshold" ? ProbeStatus.Warn : stage is "ok" ? ProbeStatus.Ok : ProbeStatus.Crit, facts);
    }

    [Fact]
    public void Classify_OverThresholdWithAPreparedTransaction_ResolveItByHandThenVacuumFreeze()
    {
        // arrange
        var results = Some.HealthyWith(Wraparound(250_000_000, "over_threshold",
            (Holders, "1"), (Holder, "prepared transaction 'tx42' (database cerberus, owner app, prepared at 2026-12-01T00:00:00Z), 240,000,000 transactions back"),
            (HolderKind, "prepared"), (HolderName, "tx42"), (HolderSlotInactive, "false")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Equal([RemediationKind.VacuumFreeze], verdict.Recommended);
        Assert.StartsWith("Transaction-ID wraparound: database cerberus is 250,000,000 transactions old (age(datfrozenxid), threshold 200,000,000), and PostgreSQL 15 stops assigning transaction IDs at 2,144,483,647, 1,894,483,647 from now", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("first remove what holds the xmin horizon, prepared transaction 'tx42'", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("COMMIT PREPARED or ROLLBACK PREPARED 'tx42' by hand", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("then VACUUM (FREEZE) the oldest tables of cerberus: audit.logs (age 250,000,000), public.orders (age 210,000,000)", verdict.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("single-user", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_MultixactsPastTheWarnLimitWhileXidsAreYoung_UrgentWraparoundWithTheMultixactEvidence()
    {
        // arrange: XIDs fine, MultiXactIds 2.11 billion old (the probe's Stage fact is the worse of the two)
        var results = Some.HealthyWith(Wraparound(5_000_000, "warn_limit",
            (MultixactMaxAge, "2110000000"), (MultixactOldestDatabase, "cerberus"), (MultixactThreshold, "400000000"), (MultixactStage, "warn_limit"),
            (OldTables, "public.orders:5000000:2110000000")));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Equal([RemediationKind.VacuumFreeze], verdict.Recommended);
        Assert.Contains("database cerberus is 2,110,000,000 MultiXactIds old (mxid_age(datminmxid), threshold 400,000,000), and PostgreSQL stops assigning MultiXactIds 34,483,647 from now", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("VACUUM (FREEZE) the oldest tables of cerberus: public.orders (age 5,000,000, MultiXactId age 2,110,000,000)", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("the bot never uses single-user mode", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_MultixactStopLogged_NamesTheMultixactMessage()
    {
        // arrange
        var results = Some.HealthyWith(Some.KubernetesLog(DiagnosisClassifier.MultixactStopSignature), Wraparound(5_000_000, "ok"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Contains("\"database is not accepting commands that generate new MultiXactIds to avoid wraparound data loss\"", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_PastTheStopLimitWithAFullDisk_WraparoundRanksFirstAndNeverSingleUserFromTheBot()
    {
        // arrange
        var results = Some.HealthyWith(Some.Volume(95), Wraparound(2_145_000_000, "stop_limit"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Equal([RemediationKind.VacuumFreeze, RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup], verdict.Recommended);
        Assert.Contains("past PostgreSQL 15's stop limit 2,144,483,647: every command that needs a transaction ID fails", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("the bot never uses single-user mode", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("also disk full", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_OnlyOverThresholdWithAFullDisk_DiskFullRanksFirstAndWraparoundFollows()
    {
        // arrange
        var results = Some.HealthyWith(Some.Volume(95), Wraparound(250_000_000, "over_threshold"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.DiskFull, verdict.Classification);
        Assert.Equal([RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup, RemediationKind.VacuumFreeze], verdict.Recommended);
        Assert.Contains("also transaction-ID wraparound: database cerberus is 250,000,000 transactions old", verdict.Sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", new[] { RemediationKind.DropReplicationSlot, RemediationKind.VacuumFreeze })]
    [InlineData("2", new[] { RemediationKind.VacuumFreeze })]
    public void Classify_AnInactiveSlotHoldsTheHorizon_SlotDropOfferedOnlyWhenItIsTheOneTheActionPicks(string inactiveSlots, RemediationKind[] expected)
    {
        // arrange: the slot drop picks an inactive slot by itself, so it is offered only when this is the only one
        var results = Some.HealthyWith(Wraparound(250_000_000, "over_threshold",
            (Holders, "1"), (Holder, "logical slot cdc (inactive, catalog_xmin), 230,000,000 transactions back"),
            (HolderKind, "slot"), (HolderName, "cdc"), (HolderSlotInactive, "true"), (InactiveSlots, inactiveSlots)));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(expected, verdict.Recommended);
        Assert.Contains("drop the inactive slot cdc (`/dbincident propose drop-slot cdc`)", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_OnlyTheStopLogLine_WraparoundWithVacuumFreezeAndTheLineQuoted()
    {
        // arrange: no wraparound probe result, the pod log says it
        var results = Some.HealthyWith(Some.KubernetesLog("xid_wraparound_stop"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Equal([RemediationKind.VacuumFreeze], verdict.Recommended);
        Assert.Contains("the PostgreSQL log shows \"database is not accepting commands to avoid wraparound data loss\"", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("the bot never uses single-user mode", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_StopLogLineWhileTheProbeTimedOut_StillOffersVacuumFreeze()
    {
        // arrange: the probe could not look (UNKNOWN, no facts); the log says the server refuses XIDs
        var results = Some.HealthyWith(Some.KubernetesLog("xid_wraparound_stop"), Some.Result(ProbeNames.Wraparound, ProbeStatus.Unknown));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Equal([RemediationKind.VacuumFreeze], verdict.Recommended);
    }

    [Fact]
    public void Classify_AnotherDatabaseIsOldestAndNoTableHereIsOld_SaysVacuumdbByHandAndOffersNothing()
    {
        // arrange
        var results = Some.HealthyWith(Wraparound(2_110_000_000, "warn_limit", (OldestDatabase, "reporting"), (OldTables, string.Empty)));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.TransactionIdWraparound, verdict.Classification);
        Assert.Empty(verdict.Recommended);
        Assert.Contains("run vacuumdb --freeze -d reporting there by hand", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_AgeBelowTheThreshold_Healthy()
    {
        // arrange
        var results = Some.HealthyWith(Wraparound(1_000_000, "ok", (OldTables, string.Empty)));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.Equal(Classification.Healthy, verdict.Classification);
    }

    [Theory]
    [InlineData(199_999_999, "ok")]
    [InlineData(200_000_000, "over_threshold")]
    [InlineData(1_600_000_000, "failsafe")]
    [InlineData(2_107_483_646, "failsafe")]
    [InlineData(2_107_483_647, "warn_limit")]
    [InlineData(2_144_483_646, "warn_limit")]
    [InlineData(2_144_483_647, "stop_limit")]
    public void Stage_Ages_PostgreSql15Limits(long age, string expected)
    {
        // arrange / act
        var stage = XidWraparound.Stage(age, 200_000_000, 1_600_000_000);

        // assert
        Assert.Equal(expected, stage);
    }
}
