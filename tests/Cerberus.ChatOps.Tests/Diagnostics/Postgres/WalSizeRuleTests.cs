using Cerberus.ChatOps.Diagnostics.Postgres;

namespace Cerberus.ChatOps.Tests.Diagnostics.Postgres;

public sealed class WalSizeRuleTests
{
    private const long GiB = 1L << 30;

    [Theory]
    [InlineData(1L * GiB, 0L, 0L, 2L * GiB)] // the old rule: twice max_wal_size
    [InlineData(1L * GiB, 4L * GiB, 0L, 8L * GiB)] // wal_keep_size keeps 4 GiB on purpose
    [InlineData(1L * GiB, 0L, 3L * GiB, 5L * GiB)] // a slot retains 3 GiB
    [InlineData(1L * GiB, 4L * GiB, 3L * GiB, 11L * GiB)]
    [InlineData(1L * GiB, 0L, -5L, 2L * GiB)] // a slot ahead of the insert position retains nothing
    public void Limit_MaxWalSizeKeepSizeAndSlots_TwiceTheLargerPlusSlots(long maxWalSize, long keep, long slots, long expected)
    {
        // arrange / act
        var limit = WalSizeRule.Limit(maxWalSize, keep, slots);

        // assert
        Assert.Equal(expected, limit);
    }

    [Fact]
    public void Over_WalKeepSizeFourTimesMaxWalSize_WalWithinKeepIsNotOver()
    {
        // arrange: the review's case: wal_keep_size ≥ 2 × max_wal_size, no slots; the old rule flagged 6 GiB forever
        // act
        var over = WalSizeRule.Over(6 * GiB, 1 * GiB, 4 * GiB, 0);

        // assert
        Assert.False(over);
    }

    [Fact]
    public void Over_BeyondEverythingThatExplainsIt_True()
    {
        // arrange / act
        var over = WalSizeRule.Over((5 * GiB) + 1, 1 * GiB, 0, 3 * GiB);

        // assert
        Assert.True(over);
    }
}
