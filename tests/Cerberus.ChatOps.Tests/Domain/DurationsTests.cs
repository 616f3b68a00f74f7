using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Tests.Domain;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(0, 0, 45, "45 s")]
    [InlineData(0, 12, 0, "12 min")]
    [InlineData(0, 12, 30, "12 min 30 s")]
    [InlineData(0, 12, 5, "12 min 05 s")]
    [InlineData(1, 7, 0, "1 h 07 min")]
    [InlineData(1, 7, 59, "1 h 07 min")]
    [InlineData(4, 0, 0, "4 h")]
    [InlineData(27, 3, 0, "27 h 03 min")]
    [InlineData(47, 59, 59, "47 h 59 min")]
    [InlineData(48, 0, 0, "2 d")]
    [InlineData(77, 30, 0, "3 d 05 h")]
    public void Format_Span_TwoUnitsAtTheMost(int hours, int minutes, int seconds, string expected)
    {
        // arrange
        var span = new TimeSpan(hours, minutes, seconds);

        // act
        var text = Durations.Format(span);

        // assert
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(0.04, "0 s")]
    [InlineData(0.3, "0.3 s")]
    [InlineData(2.5, "2.5 s")]
    [InlineData(9.94, "9.9 s")]
    [InlineData(9.96, "10 s")]
    [InlineData(40.4, "40 s")]
    [InlineData(59.6, "1 min")]
    [InlineData(144, "2 min 24 s")]
    [InlineData(5400, "1 h 30 min")]
    public void Format_Seconds_TenthsOnlyUnderTenSeconds(double seconds, string expected)
    {
        // act
        var text = Durations.Format(seconds);

        // assert
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Format_NegativeSpan_MinusSignThenTheSameUnits()
    {
        // act
        var text = Durations.Format(-new TimeSpan(1, 7, 0));

        // assert
        Assert.Equal("−1 h 07 min", text);
    }

    [Fact]
    public void Format_NoSpan_EmDash()
    {
        // act
        var text = Durations.Format((TimeSpan?)null);

        // assert
        Assert.Equal("—", text);
    }

    [Fact]
    public void Format_NotANumber_QuestionMark()
    {
        // act
        var text = Durations.Format(double.NaN);

        // assert
        Assert.Equal("?", text);
    }
}
