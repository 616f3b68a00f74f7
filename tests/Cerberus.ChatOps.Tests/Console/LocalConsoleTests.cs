using System.Net;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.ConsoleMode;
using Cerberus.ChatOps.Slack.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Console;

public sealed class LocalConsoleTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("192.168.1.20", false)]
    public void IsLocal_RemoteAddress_OnlyLoopbackPasses(string address, bool expected)
    {
        // arrange
        var ip = IPAddress.Parse(address);

        // act
        var local = LoopbackOnlyFilter.IsLocal(ip);

        // assert
        Assert.Equal(expected, local);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("attacker.example", false)]
    [InlineData("localhost.attacker.example", false)]
    public void IsLocalHost_HostHeader_OnlyLocalNamesPass(string host, bool expected)
    {
        // arrange
        // act
        var local = LoopbackOnlyFilter.IsLocalHost(host);

        // assert
        Assert.Equal(expected, local);
    }

    [Fact]
    public void IsLocal_UnknownRemote_IsRefused()
    {
        // arrange
        // act
        var local = LoopbackOnlyFilter.IsLocal(null);

        // assert
        Assert.False(local);
    }

    [Theory]
    [InlineData("http://localhost/console/response/R000001", true)]
    [InlineData("http://localhost/console/upload/F000001", true)]
    [InlineData("http://localhost/other/response/R1", false)]
    [InlineData("http://127.0.0.1/console/response/R1", false)]
    [InlineData("http://localhost:8080/console/response/R1", false)]
    [InlineData("https://evil.example/console/response/R1", false)]
    [InlineData("https://hooks.slack.com/actions/T0/1/x", true)]
    public void IsAllowed_WithTheConsoleBase_AllowsExactlyThatBaseBesidesSlack(string url, bool expected)
    {
        // arrange
        // act
        var allowed = SlackUrlGuard.IsAllowed(url, LocalConsole.LocalBase);

        // assert
        Assert.Equal(expected, allowed);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("secret", null, false)]
    [InlineData(null, "xapp-1", false)]
    public void IsWanted_SlackCredentials_TurnTheConsoleOff(string? signingSecret, string? appToken, bool expected)
    {
        // arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret,
            ["Slack:AppToken"] = appToken,
        }).Build();

        // act
        var wanted = LocalConsole.IsWanted(configuration);

        // assert
        Assert.Equal(expected, wanted);
    }

    [Fact]
    public void SigningSecret_TwoConsoles_AreRandomAndNeverPrinted()
    {
        // arrange
        var first = new LocalConsole();
        var second = new LocalConsole();

        // act
        var text = first.ToString();

        // assert
        Assert.NotEqual(first.SigningSecret, second.SigningSecret);
        Assert.Equal(64, first.SigningSecret.Length);
        Assert.DoesNotContain(first.SigningSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_ReplaceOriginal_ReplacesTheMessageThatCarriedTheButton()
    {
        // arrange
        var slack = new LocalSlack(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000)));
        var posted = slack.Handle("chat.postMessage", new Dictionary<string, string> { ["channel"] = "C1", ["text"] = "approve?" });
        var ts = (string)posted["ts"]!;
        var url = slack.IssueResponseUrl("C1", ts);

        // act
        var ok = slack.Respond(url[LocalConsole.ResponsePrefix.Length..], new JsonObject { ["text"] = "approved", ["replace_original"] = true });

        // assert
        Assert.True(ok);
        var message = Assert.Single(slack.Since(0));
        Assert.Equal("approved", message.Text);
        Assert.True(message.Edited);
    }

    [Fact]
    public void Handle_HistoryWithMetadata_FindsTheOutboxIdOfAPost()
    {
        // arrange
        var slack = new LocalSlack(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000)));
        slack.Handle("chat.postMessage", new Dictionary<string, string> { ["channel"] = "C1", ["text"] = "header", ["metadata"] = "{\"event_type\":\"cerberus_outbox\",\"event_payload\":{\"id\":\"INC/1/0\"}}" });

        // act
        var history = slack.Handle("conversations.history", new Dictionary<string, string> { ["channel"] = "C1", ["include_all_metadata"] = "true" });

        // assert
        Assert.Equal("INC/1/0", (string?)history["messages"]![0]!["metadata"]!["event_payload"]!["id"]);
    }
}
