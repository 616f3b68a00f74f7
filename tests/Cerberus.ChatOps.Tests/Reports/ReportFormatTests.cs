using Cerberus.ChatOps.Domain.Reports;

namespace Cerberus.ChatOps.Tests.Reports;

public sealed class ReportFormatTests
{
    [Fact]
    public void Time_NonUtcOffset_IsWrittenInUtc()
    {
        // arrange
        var at = new DateTimeOffset(2026, 3, 14, 4, 3, 0, TimeSpan.FromHours(2));

        // act
        var text = ReportFormat.Time(at);

        // assert
        Assert.Equal("2026-03-14 02:03:00 UTC", text);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(20_643_840, "20,643,840 B (19.7 MiB)")]
    [InlineData(1_073_741_824, "1,073,741,824 B (1 GiB)")]
    public void BytesExact_Value_ShowsExactAndReadable(long bytes, string expected)
    {
        // arrange
        // act
        var text = ReportFormat.BytesExact(bytes);

        // assert
        Assert.Equal(expected, text);
    }

    [Fact]
    public void PlainText_MentionsAndSecrets_BecomePlainAndRedacted()
    {
        // arrange
        var text = "commander <@U0AAA> → <@U0BBB|bob> in <#C0CHAN|db-incidents>\nconn Host=db;Password=s3cr3t-value";

        // act
        var plain = ReportFormat.PlainText(text);

        // assert
        Assert.Equal("commander @U0AAA → @U0BBB in #db-incidents conn Host=db;Password=***", plain);
    }

    [Theory]
    [InlineData("U0ONCALL", "@U0ONCALL")]
    [InlineData("cerberus", "cerberus")]
    [InlineData("cli:alice", "cli:alice")]
    public void MarkdownActor_Actor_IsMentionOrName(string actor, string expected)
    {
        // arrange
        // act
        var text = ReportFormat.MarkdownActor(actor);

        // assert
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("0/47B0000", "0/3400000", 20_643_840L)]
    [InlineData("1/0", "0/FFFFFFFF", 1L)]
    [InlineData("0/3400000", "0/47B0000", -20_643_840L)]
    public void Difference_TwoLsns_IsLikePgWalLsnDiff(string later, string earlier, long expected)
    {
        // arrange
        // act
        var difference = LogSequenceNumber.Difference(later, earlier);

        // assert
        Assert.Equal(expected, difference);
    }

    [Theory]
    [InlineData("")]
    [InlineData("47B0000")]
    [InlineData("0/XYZ")]
    public void TryParse_NotAnLsn_IsFalse(string text)
    {
        // arrange
        // act
        var parsed = LogSequenceNumber.TryParse(text, out _);

        // assert
        Assert.False(parsed);
    }
}
