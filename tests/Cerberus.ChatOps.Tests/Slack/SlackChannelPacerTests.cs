using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackChannelPacerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void WaitTurnAsync_ThreeCallsOneChannel_OnePerSecond()
    {
        // arrange
        var sut = CreateSut();

        // act
        var first = sut.WaitTurnAsync("C1", CancellationToken.None);
        var second = sut.WaitTurnAsync("C1", CancellationToken.None);
        var third = sut.WaitTurnAsync("C1", CancellationToken.None);

        // assert
        Assert.True(first.IsCompleted);
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(second.IsCompleted);
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(third.IsCompleted);
    }

    [Fact]
    public void WaitTurnAsync_OtherChannel_NotHeldBack()
    {
        // arrange
        var sut = CreateSut();
        _ = sut.WaitTurnAsync("C1", CancellationToken.None);
        var busy = sut.WaitTurnAsync("C1", CancellationToken.None);

        // act
        var other = sut.WaitTurnAsync("C2", CancellationToken.None);

        // assert
        Assert.False(busy.IsCompleted);
        Assert.True(other.IsCompleted);
    }

    [Fact]
    public void WaitTurnAsync_AfterAQuietSecond_NoWait()
    {
        // arrange
        var sut = CreateSut();
        _ = sut.WaitTurnAsync("C1", CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));

        // act
        var next = sut.WaitTurnAsync("C1", CancellationToken.None);

        // assert
        Assert.True(next.IsCompleted);
    }

    private SlackChannelPacer CreateSut()
    {
        var options = new StaticOptionsMonitor<SlackOptions>(new SlackOptions { ChatInterval = TimeSpan.FromSeconds(1) });
        return new SlackChannelPacer(options, _time);
    }
}
