using System.Text;
using Cerberus.ChatOps.Slack.Http;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.Primitives;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackRequestVerifierTests
{
    // Slack's documented test vector (slack-protocol.md §1).
    private const string VectorSecret = SlackDocumentedVector.Secret;
    private const string VectorTimestamp = SlackDocumentedVector.Timestamp;
    private const string VectorBody = SlackDocumentedVector.Body;
    private const string VectorSignature = SlackDocumentedVector.Signature;

    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void Sign_SlackTestVector_GivesSlacksSignature()
    {
        // arrange
        var body = Encoding.UTF8.GetBytes(VectorBody);

        // act
        var signature = SlackRequestVerifier.Sign(VectorSecret, VectorTimestamp, body);

        // assert
        Assert.Equal(VectorSignature, signature);
    }

    [Fact]
    public void Verify_SlackTestVector_IsValid()
    {
        // act
        var result = Verify(VectorBody, VectorTimestamp, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.Valid, result);
    }

    [Theory]
    [InlineData(-300, SlackVerification.Valid)]
    [InlineData(300, SlackVerification.Valid)]
    [InlineData(301, SlackVerification.Stale)]
    [InlineData(3600, SlackVerification.Stale)]
    [InlineData(-301, SlackVerification.Future)]
    [InlineData(-3600, SlackVerification.Future)]
    public void Verify_ClockSkew_AcceptsOnlyWithinFiveMinutesEitherWay(int nowMinusTimestampSeconds, SlackVerification expected)
    {
        // arrange
        var now = VectorTime.AddSeconds(nowMinusTimestampSeconds);

        // act
        var result = Verify(VectorBody, VectorTimestamp, VectorSignature, now);

        // assert
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Verify_TamperedBody_IsBadSignature()
    {
        // arrange
        var tampered = VectorBody.Replace("text=&", "text=resolve&", StringComparison.Ordinal);

        // act
        var result = Verify(tampered, VectorTimestamp, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.BadSignature, result);
    }

    [Fact]
    public void Verify_TimestampChangedButSignatureKept_IsBadSignature()
    {
        // act
        var result = Verify(VectorBody, "1531420619", VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.BadSignature, result);
    }

    [Theory]
    [InlineData("v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503")]
    [InlineData("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50")]
    [InlineData("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5033")]
    [InlineData("v0=")]
    public void Verify_AlteredSignature_IsBadSignature(string signature)
    {
        // act
        var result = Verify(VectorBody, VectorTimestamp, signature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.BadSignature, result);
    }

    [Theory]
    [InlineData("v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    [InlineData("a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    public void Verify_OtherVersion_IsUnknownVersion(string signature)
    {
        // act
        var result = Verify(VectorBody, VectorTimestamp, signature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.UnknownVersion, result);
    }

    [Fact]
    public void Verify_MissingTimestamp_IsMissingTimestamp()
    {
        // act
        var result = SlackRequestVerifier.Verify(VectorSecret, Encoding.UTF8.GetBytes(VectorBody), StringValues.Empty, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.MissingTimestamp, result);
    }

    [Fact]
    public void Verify_DuplicateTimestampHeader_IsInvalidTimestamp()
    {
        // arrange
        var twice = new StringValues([VectorTimestamp, VectorTimestamp]);

        // act
        var result = SlackRequestVerifier.Verify(VectorSecret, Encoding.UTF8.GetBytes(VectorBody), twice, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.InvalidTimestamp, result);
    }

    [Theory]
    [InlineData("1531420618.5")]
    [InlineData("-1531420618")]
    [InlineData("+1531420618")]
    [InlineData(" 1531420618")]
    [InlineData("1531420618 ")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("١٥٣١٤٢٠٦١٨")]
    public void Verify_NonIntegerTimestamp_IsInvalidTimestamp(string timestamp)
    {
        // act
        var result = Verify(VectorBody, timestamp, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.InvalidTimestamp, result);
    }

    [Fact]
    public void Verify_MissingSignature_IsMissingSignature()
    {
        // act
        var result = SlackRequestVerifier.Verify(VectorSecret, Encoding.UTF8.GetBytes(VectorBody), VectorTimestamp, StringValues.Empty, VectorTime);

        // assert
        Assert.Equal(SlackVerification.MissingSignature, result);
    }

    [Fact]
    public void Verify_DuplicateSignatureHeader_IsMissingSignature()
    {
        // arrange
        var twice = new StringValues([VectorSignature, VectorSignature]);

        // act
        var result = SlackRequestVerifier.Verify(VectorSecret, Encoding.UTF8.GetBytes(VectorBody), VectorTimestamp, twice, VectorTime);

        // assert
        Assert.Equal(SlackVerification.MissingSignature, result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoSigningSecret_FailsClosed(string? secret)
    {
        // act
        var result = SlackRequestVerifier.Verify(secret, Encoding.UTF8.GetBytes(VectorBody), VectorTimestamp, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.NoSigningSecret, result);
    }

    [Fact]
    public void Verify_WrongSecret_IsBadSignature()
    {
        // act
        var result = SlackRequestVerifier.Verify("another-secret", Encoding.UTF8.GetBytes(VectorBody), VectorTimestamp, VectorSignature, VectorTime);

        // assert
        Assert.Equal(SlackVerification.BadSignature, result);
    }

    [Fact]
    public void Sign_TestSigner_AgreesWithProductionSigner()
    {
        // arrange
        const string Body = "payload=%7B%22type%22%3A%22block_actions%22%7D";

        // act
        var ours = SlackRequestVerifier.Sign("s3cret", "1700000000", Encoding.UTF8.GetBytes(Body));
        var testSigner = Support.Slack.SlackRequestSigner.Sign("s3cret", "1700000000", Body);

        // assert
        Assert.Equal(testSigner, ours);
    }

    private static SlackVerification Verify(string body, string timestamp, string signature, DateTimeOffset now) =>
        SlackRequestVerifier.Verify(VectorSecret, Encoding.UTF8.GetBytes(body), timestamp, signature, now);
}
