using Cerberus.ChatOps.Actions.Postgres;

namespace Cerberus.ChatOps.Tests.Actions;

public sealed class PostgresPartsTests
{
    [Theory]
    [InlineData("pg2", "pg2")]
    [InlineData("postgres-replica-0", "postgres_replica_0")]
    [InlineData("Node.One", "node_one")]
    [InlineData("a@b", "au0064b")]
    public void PatroniSlotName_MemberName_MatchesPatroniRule(string member, string expected)
    {
        // arrange / act
        var slot = SlotPolicy.PatroniSlotName(member);

        // assert
        Assert.Equal(expected, slot);
    }

    [Fact]
    public void Refusal_ActiveSlot_Refused()
    {
        // arrange
        var slot = new ReplicationSlotInfo("backup", "physical", Active: true, "reserved", 10);

        // act
        var refusal = SlotPolicy.Refusal(slot, [], allowPatroniSlot: true);

        // assert
        Assert.Contains("active", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_PatroniMemberSlot_RefusedUnlessAllowed()
    {
        // arrange
        var slot = new ReplicationSlotInfo("postgres_replica_0", "physical", Active: false, "extended", 10);
        string[] members = ["postgres-primary-0", "postgres-replica-0"];

        // act
        var refused = SlotPolicy.Refusal(slot, members, allowPatroniSlot: false);
        var allowed = SlotPolicy.Refusal(slot, members, allowPatroniSlot: true);

        // assert
        Assert.Contains("Patroni's slot for the current member postgres-replica-0", refused, StringComparison.Ordinal);
        Assert.Null(allowed);
    }

    [Fact]
    public void Refusal_InactiveForeignSlot_Allowed()
    {
        // arrange
        var slot = new ReplicationSlotInfo("old_backup", "physical", Active: false, "extended", 1 << 30);

        // act
        var refusal = SlotPolicy.Refusal(slot, ["pg1", "pg2"], allowPatroniSlot: false);

        // assert
        Assert.Null(refusal);
    }

    [Theory]
    [InlineData("audit.logs", true, "\"audit\".\"logs\"")]
    [InlineData("audit.logs; DROP TABLE x", false, null)]
    [InlineData("logs", false, null)]
    [InlineData("Audit.Logs", false, null)]
    [InlineData("a.b.c", false, null)]
    public void TryParse_TableName_ValidatesAndQuotes(string text, bool valid, string? quoted)
    {
        // arrange / act
        var ok = QualifiedName.TryParse(text, out var name);

        // assert
        Assert.Equal(valid, ok);
        Assert.Equal(quoted, name?.Quoted);
    }

    [Fact]
    public void Causes_InactiveSlotAndFailingArchiver_NamesBoth()
    {
        // arrange
        var wal = new WalPressure(false, 3L << 30, 192,
            [new ReplicationSlotInfo("old_backup", "physical", false, "extended", 2L << 30)],
            ArchiverFailedCount: 7, LastFailedWal: "000000010000000000000042", ArchiverFailingNow: true, ReadyFiles: 12, WalKeepSize: "0", MaxWalSize: "1GB");

        // act
        var causes = wal.Causes();

        // assert
        Assert.Contains("Inactive physical slot old_backup retains 2 GiB", causes, StringComparison.Ordinal);
        Assert.Contains("archiver is failing now", causes, StringComparison.Ordinal);
        Assert.Contains("pg_archivecleanup", WalPressure.ArchiveCleanupWarning, StringComparison.Ordinal);
    }
}
