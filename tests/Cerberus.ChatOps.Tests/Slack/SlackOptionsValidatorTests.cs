using Cerberus.ChatOps.Slack;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // act
        var result = new SlackOptionsValidator().Validate(null, new SlackOptions());

        // assert
        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("slack.com/api")]
    [InlineData("ftp://slack.com/api/")]
    [InlineData("")]
    public void Validate_BadApiBaseUrl_OneLineNamingTheKey(string url)
    {
        // act
        var result = new SlackOptionsValidator().Validate(null, new SlackOptions { ApiBaseUrl = url });

        // assert
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Slack:ApiBaseUrl:", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void Validate_AppTokenOfTheWrongKind_RejectedWithoutEchoingIt()
    {
        // act
        var result = new SlackOptionsValidator().Validate(null, new SlackOptions { AppToken = "xoxb-123-SECRET" });

        // assert
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Slack:AppToken:", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InboxRetentionShorterThanSlacksRetries_Rejected()
    {
        // act
        var result = new SlackOptionsValidator().Validate(null, new SlackOptions { InboxRetention = TimeSpan.FromMinutes(4) });

        // assert
        Assert.StartsWith("Slack:InboxRetention:", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
