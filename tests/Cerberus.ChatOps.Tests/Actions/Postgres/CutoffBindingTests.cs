using Cerberus.ChatOps.Actions.Postgres;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

public sealed class CutoffBindingTests
{
    private static readonly DateTimeOffset Cutoff = new(2026, 9, 4, 17, 30, 0, TimeSpan.Zero);

    [Fact]
    public void For_Timestamptz_TheUtcInstant()
    {
        // arrange / act
        var binding = CutoffBinding.For(CutoffBinding.TimestampTz, Cutoff, new DateTime(2026, 9, 5, 2, 30, 0))!;

        // assert
        Assert.Equal(NpgsqlDbType.TimestampTz, binding.DbType);
        Assert.Equal(new DateTime(2026, 9, 4, 17, 30, 0, DateTimeKind.Utc), binding.Value);
        Assert.Equal("'2026-09-04T17:30:00.000000Z'::timestamptz", binding.Literal);
    }

    [Fact]
    public void For_TimestampWithServerEastOfUtc_TheUtcWallClock()
    {
        // arrange: Asia/Tokyo reads the cutoff as 02:30 the next day; a row written in UTC at 18:00 is newer than the retention
        var tokyo = new DateTime(2026, 9, 5, 2, 30, 0);

        // act
        var binding = CutoffBinding.For(CutoffBinding.Timestamp, Cutoff, tokyo)!;

        // assert
        Assert.Equal(NpgsqlDbType.Timestamp, binding.DbType);
        Assert.Equal(new DateTime(2026, 9, 4, 17, 30, 0), binding.Value);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)binding.Value).Kind);
        Assert.Equal("'2026-09-04T17:30:00.000000'::timestamp", binding.Literal);
    }

    [Fact]
    public void For_TimestampWithServerWestOfUtc_TheServerWallClock()
    {
        // arrange: America/New_York (UTC−4 in September) reads the cutoff as 13:30
        var newYork = new DateTime(2026, 9, 4, 13, 30, 0);

        // act
        var binding = CutoffBinding.For(CutoffBinding.Timestamp, Cutoff, newYork)!;

        // assert
        Assert.Equal(newYork, binding.Value);
    }

    [Fact]
    public void For_Date_TheDayOfTheEarlierWallClock()
    {
        // arrange: a row dated 2026-09-04 is not wholly older than 17:30 that day, so only earlier days qualify
        var tokyo = new DateTime(2026, 9, 5, 2, 30, 0);

        // act
        var binding = CutoffBinding.For(CutoffBinding.Date, Cutoff, tokyo)!;

        // assert
        Assert.Equal(NpgsqlDbType.Date, binding.DbType);
        Assert.Equal(new DateOnly(2026, 9, 4), binding.Value);
        Assert.Equal("'2026-09-04'::date", binding.Literal);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("bigint")]
    [InlineData("time without time zone")]
    public void For_OtherColumnTypes_Null(string type)
    {
        // arrange / act / assert
        Assert.Null(CutoffBinding.For(type, Cutoff, Cutoff.UtcDateTime));
    }

    [Theory]
    [InlineData(CutoffBinding.TimestampTz)]
    [InlineData(CutoffBinding.Timestamp)]
    [InlineData(CutoffBinding.Date)]
    public void Parse_StoredText_RoundTrips(string type)
    {
        // arrange
        var binding = CutoffBinding.For(type, Cutoff, new DateTime(2026, 9, 4, 13, 30, 0))!;

        // act
        var parsed = CutoffBinding.Parse(type, binding.Text);

        // assert
        Assert.Equal(binding, parsed);
    }

    [Fact]
    public void Parse_Garbage_Null()
    {
        // arrange / act / assert
        Assert.Null(CutoffBinding.Parse(CutoffBinding.Timestamp, "yesterday"));
        Assert.Null(CutoffBinding.Parse("text", "2026-09-04"));
    }
}
