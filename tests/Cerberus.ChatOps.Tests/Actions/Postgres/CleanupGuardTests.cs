using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Kubernetes;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

public sealed class CleanupGuardTests
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    private static CleanupConditions Conditions(
        FreeSpace? free = null, long maxWalSize = GiB, long wal = 512 * MiB, long unflushed = 0, bool archiverFailing = false, params ReplicationSlotInfo[] slots) =>
        new(free ?? new FreeSpace(50 * GiB, 100 * GiB, "df /var/lib/postgresql in pod pg-0", null), maxWalSize, wal, unflushed, archiverFailing, 3, "00000001000000000000002A", slots);

    private static FreeSpace Free(long available, long total = 100 * GiB) => new(available, total, "df /var/lib/postgresql in pod pg-0", null);

    private static FreeSpace Unknown() => FreeSpace.Unknown("df /var/lib/postgresql", DataVolumeMeter.NoSourceReason);

    [Theory]
    [InlineData(100L * GiB, 1L * GiB, 5L * GiB)] // 5 % of the volume beats 2 × max_wal_size
    [InlineData(20L * GiB, 4L * GiB, 8L * GiB)] // 2 × max_wal_size beats 5 % (1 GiB)
    [InlineData(0L, 1L * GiB, 2L * GiB)]
    public void Floor_DefaultOptions_IsTheLargerOfTwiceMaxWalSizeAndFivePercent(long volume, long maxWalSize, long expected)
    {
        // arrange
        var options = new CleanupOptions();

        // act
        var floor = CleanupGuard.Floor(volume, maxWalSize, options);

        // assert
        Assert.Equal(expected, floor);
    }

    [Fact]
    public void Floor_ConfiguredMultipleAndPercent_Used()
    {
        // arrange
        var options = new CleanupOptions { FreeSpaceFloorWalMultiple = 3, FreeSpaceFloorPercent = 10 };

        // act
        var byWal = CleanupGuard.Floor(20 * GiB, 1 * GiB, options);
        var byVolume = CleanupGuard.Floor(100 * GiB, 1 * GiB, options);

        // assert
        Assert.Equal(3 * GiB, byWal);
        Assert.Equal(10 * GiB, byVolume);
    }

    [Fact]
    public void BatchWalBound_NothingMeasuredYet_OneFullPageImagePerRowPlusItsRecord()
    {
        // arrange / act
        var prior = CleanupGuard.BatchWalBound(10_000, 8192, 0);
        var measured = CleanupGuard.BatchWalBound(10_000, 8192, 200 * MiB);

        // assert
        Assert.Equal(10_000 * (8192 + CleanupGuard.DeleteRecordBytes), prior);
        Assert.Equal(200 * MiB, measured);
    }

    [Fact]
    public void VacuumWalBound_Full_TwiceTheRelation()
    {
        // arrange / act / assert
        Assert.Equal(3 * GiB, CleanupGuard.VacuumWalBound(3 * GiB, full: false));
        Assert.Equal(6 * GiB, CleanupGuard.VacuumWalBound(3 * GiB, full: true));
    }

    [Fact]
    public void Blocker_PlentyOfRoomAndNothingElse_Null()
    {
        // arrange / act
        var why = CleanupGuard.Blocker(Conditions(), new CleanupOptions(), 100 * MiB, measuredAtApproval: true);

        // assert
        Assert.Null(why);
    }

    [Fact]
    public void Blocker_HeadroomExactlyOneBatch_GoesAndOneMegabyteLessPauses()
    {
        // arrange: floor 5 GiB on a 100 GiB volume
        var options = new CleanupOptions();
        var batch = 80 * MiB;

        // act
        var exact = CleanupGuard.Blocker(Conditions(Free((5 * GiB) + batch)), options, batch, true);
        var short1 = CleanupGuard.Blocker(Conditions(Free((5 * GiB) + batch - MiB)), options, batch, true);

        // assert
        Assert.Null(exact);
        Assert.NotNull(short1);
        Assert.Contains("free space 5.08 GiB (df /var/lib/postgresql in pod pg-0) minus the floor 5 GiB (max(2 × max_wal_size 1 GiB, 5 % of 100 GiB)) leaves 79 MiB, less than the 80 MiB of WAL the next step can write", short1, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocker_BelowTheFloor_NamesFreeSpaceWhereAndFloor()
    {
        // arrange / act
        var why = CleanupGuard.Blocker(Conditions(Free(3 * GiB)), new CleanupOptions(), 80 * MiB, true);

        // assert
        Assert.StartsWith("free space 3 GiB (df /var/lib/postgresql in pod pg-0) minus the floor 5 GiB", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocker_ArchiverFailing_RefusesEvenWithPlentyOfSpace()
    {
        // arrange / act
        var why = CleanupGuard.Blocker(Conditions(archiverFailing: true), new CleanupOptions(), MiB, true);

        // assert
        Assert.StartsWith("the archiver is failing (pg_stat_archiver: last_failed_time is newer than last_archived_time, failed_count 3, last failed 00000001000000000000002A)", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocker_InactiveSlotRetainsWal_Refuses()
    {
        // arrange
        var slots = new[]
        {
            new ReplicationSlotInfo("pg2", "physical", true, "reserved", 10 * MiB),
            new ReplicationSlotInfo("old_backup", "physical", false, "extended", 3 * GiB),
        };

        // act
        var why = CleanupGuard.Blocker(Conditions(slots: slots), new CleanupOptions(), MiB, true);

        // assert
        Assert.Equal("inactive replication slot old_backup retains 3 GiB of WAL: drop it or bring its consumer back first", why);
    }

    [Fact]
    public void Blocker_LostInactiveSlotAndActiveSlot_PinNothingSoNoBlock()
    {
        // arrange: a lost slot has no restart_lsn (retains nothing); an active one is being consumed
        var slots = new[]
        {
            new ReplicationSlotInfo("gone", "physical", false, "lost", null),
            new ReplicationSlotInfo("pg2", "physical", true, "reserved", 5 * GiB),
        };

        // act
        var why = CleanupGuard.Blocker(Conditions(slots: slots), new CleanupOptions(), MiB, true);

        // assert
        Assert.Null(why);
    }

    [Fact]
    public void Blocker_StandbyLagsMoreThanMaxUnflushed_Pauses()
    {
        // arrange / act
        var why = CleanupGuard.Blocker(Conditions(unflushed: 100 * MiB), new CleanupOptions(), MiB, true);

        // assert
        Assert.Equal("a standby has 100 MiB unflushed WAL (> 64 MiB)", why);
    }

    [Fact]
    public void Blocker_FreeSpaceUnknownAfterAMeasuredApproval_PausesSayingUnknownNotFull()
    {
        // arrange / act
        var why = CleanupGuard.Blocker(Conditions(Unknown()), new CleanupOptions(), MiB, measuredAtApproval: true);

        // assert
        Assert.StartsWith("free space unknown now (no source of free space is configured", why, StringComparison.Ordinal);
        Assert.EndsWith("while the approval was given with it measured", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024L * 1024 * 1024, true)]
    [InlineData(3L * 1024 * 1024 * 1024, false)]
    public void Blocker_FreeSpaceUnknownSinceTheApproval_BoundedByTheFixedPgWalCeiling(long wal, bool goes)
    {
        // arrange: unknown is neither full (it does not refuse) nor plenty (pg_wal is capped at MaxWalBytes, 2 GiB)
        var options = new CleanupOptions();

        // act
        var why = CleanupGuard.Blocker(Conditions(Unknown(), wal: wal), options, 100 * GiB, measuredAtApproval: false);

        // assert
        Assert.Equal(goes, why is null);
        if (!goes)
        {
            Assert.Equal($"free space unknown ({DataVolumeMeter.NoSourceReason}) and pg_wal holds 3 GiB (> 2 GiB, the fallback bound)", why);
        }
    }

    [Fact]
    public void Describe_FreeSpaceUnknown_SaysSoAndWhatItDoesInstead()
    {
        // arrange / act
        var text = CleanupGuard.Describe(Conditions(Unknown()), new CleanupOptions(), 80 * MiB);

        // assert
        Assert.StartsWith($"Free space unknown ({DataVolumeMeter.NoSourceReason}): the free-space floor cannot be checked, so the batches pause instead while pg_wal exceeds 2 GiB (the fixed fallback)", text, StringComparison.Ordinal);
        Assert.Contains("the archiver, slot and replication checks still apply", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_FreeSpaceMeasured_ShowsFreeFloorAndBatchBound()
    {
        // arrange / act
        var text = CleanupGuard.Describe(Conditions(Free(12 * GiB)), new CleanupOptions(), 80 * MiB);

        // assert
        Assert.StartsWith("Free space: 12 GiB of 100 GiB (df /var/lib/postgresql in pod pg-0); floor 5 GiB (max(2 × max_wal_size 1 GiB, 5 % of 100 GiB)).", text, StringComparison.Ordinal);
        Assert.Contains("at most 80 MiB", text, StringComparison.Ordinal);
    }
}
