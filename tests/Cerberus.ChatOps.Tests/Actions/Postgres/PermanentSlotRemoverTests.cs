using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

/// <summary>PATCH /config answers as Patroni 3.0.2 do_PATCH_config gives them: 200, 409, 401, lost answers, unreachable members.</summary>
public sealed class PermanentSlotRemoverTests
{
    private static readonly PermanentSlot Archive = new("archive", "slots", "physical", null, null, DeclaredNull: false);

    private static (PermanentSlotRemover Sut, FakePatroniClient Patroni) CreateSut()
    {
        var patroni = new FakePatroniClient();
        return (new PermanentSlotRemover(patroni, TimeProvider.System), patroni);
    }

    [Fact]
    public async Task RemoveAsync_200_RemovedWithOneNullPatch()
    {
        // arrange
        var (sut, patroni) = CreateSut();
        patroni.Answer(200, """{"ttl":20,"slots":{}}""");

        // act
        var result = await sut.RemoveAsync(Archive, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(result.Removed, result.Text);
        Assert.Equal(1, result.Reached);
        Assert.Equal(["""patch {"slots":{"archive":null}}"""], patroni.Sent);
        Assert.Equal("PATCH /config answered 200", result.Text);
    }

    [Fact]
    public async Task RemoveAsync_NullEntry_NormalisedThenRemovedInOrder()
    {
        // arrange
        var (sut, patroni) = CreateSut();
        patroni.Answer(200, "{}");
        patroni.Answer(200, "{}");

        // act
        var result = await sut.RemoveAsync(Archive with { DeclaredNull = true }, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(result.Removed, result.Text);
        Assert.Equal(2, result.Reached);
        Assert.Equal(["""patch {"slots":{"archive":{"type":"physical"}}}""", """patch {"slots":{"archive":null}}"""], patroni.Sent);
    }

    [Theory]
    [InlineData(409, "Conflict", "The configuration changed concurrently; nothing was written.")]
    [InlineData(401, "no auth header received", "Check Cerberus:Patroni:Username and Password")]
    [InlineData(403, "Access is denied", "allowlist or client certificate")]
    public async Task RemoveAsync_Refused_NotRemovedWithTheReason(int status, string body, string hint)
    {
        // arrange
        var (sut, patroni) = CreateSut();
        patroni.Answer(status, body);

        // act
        var result = await sut.RemoveAsync(Archive, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(result.Removed);
        Assert.Contains($"{status} \"{body}\"", result.Text, StringComparison.Ordinal);
        Assert.Contains(hint, result.Text, StringComparison.Ordinal);
        Assert.Single(patroni.Sent);
    }

    [Fact]
    public async Task RemoveAsync_AnswerLostAfterSending_DecidedFromConfigNotResent()
    {
        // arrange: the fake's /config lists no permanent slot, so the lost PATCH did land
        var (sut, patroni) = CreateSut();
        patroni.AnswerTransportError(notSent: false);

        // act
        var result = await sut.RemoveAsync(Archive, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(result.Removed, result.Text);
        Assert.Single(patroni.Sent);
    }

    [Fact]
    public async Task RemoveAsync_FirstMemberUnreachable_SentToTheNext()
    {
        // arrange
        var (sut, patroni) = CreateSut();
        patroni.AnswerTransportError(notSent: true);
        patroni.Answer(200, "{}");

        // act
        var result = await sut.RemoveAsync(Archive, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(result.Removed, result.Text);
        Assert.Equal(1, result.Reached);
        Assert.Equal(2, patroni.Sent.Count);
        Assert.Contains("connection refused or unreachable: nothing was sent", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUnlistedAsync_ConfigWithoutTheSlot_Null()
    {
        // arrange
        var (sut, _) = CreateSut();

        // act
        var problem = await sut.WaitUnlistedAsync("archive", TimeSpan.Zero, TimeSpan.FromMilliseconds(10), CancellationToken.None);

        // assert
        Assert.Null(problem);
    }
}
