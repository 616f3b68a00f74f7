using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.SocketMode;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SocketModeServiceTests : IAsyncLifetime
{
    private const string AppToken = "xapp-1-A0CERBERUS-SECRET";
    private FakeSocketModeServer _server = null!;
    private SlackServices _services = null!;
    private SocketModeService _sut = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeSocketModeServer.StartAsync();
        _services = new SlackServices(new Dictionary<string, string?>
        {
            ["Slack:AppToken"] = AppToken,
            ["Slack:BotToken"] = "xoxb-test-SECRET",
            ["Slack:ApiBaseUrl"] = _server.ApiBaseUrl,
            ["Slack:SocketModeConnections"] = "2",
            ["Slack:SocketModeStagger"] = "00:00:00.200",
            ["Slack:SocketModeReconnectDelay"] = "00:00:00.050",
            ["Slack:RetryBaseDelay"] = "00:00:00.010",
            ["Slack:SocketModeMaxFrameBytes"] = "65536",
        });
        _sut = _services.Provider.GetServices<IHostedService>().OfType<SocketModeService>().Single();
    }

    public async Task DisposeAsync()
    {
        await _sut.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_AppToken_OpensTwoStaggeredConnectionsWithTheAppToken()
    {
        // arrange
        var started = DateTimeOffset.UtcNow;

        // act
        await _sut.StartAsync(CancellationToken.None);
        var connections = await _server.WaitForOpenConnectionsAsync(2);

        // assert
        Assert.All(_server.OpenAuthorizations, a => Assert.Equal("Bearer " + AppToken, a));
        Assert.Equal(2, _server.OpenAuthorizations.Count);
        Assert.True(connections.Max(c => c.ConnectedAt) - started >= TimeSpan.FromMilliseconds(200), "the second connection did not wait for the stagger");
    }

    [Fact]
    public async Task Envelope_SlashCommand_SamePipelineAsHttpAndAckedWithEnvelopeIdOnly()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connection = (await _server.WaitForOpenConnectionsAsync(1))[0];
        var payload = new JsonObject
        {
            ["token"] = "x", ["team_id"] = SlackRequestSigner.TeamId, ["team_domain"] = "t", ["channel_id"] = "C1", ["channel_name"] = "db",
            ["user_id"] = "U1", ["user_name"] = "ann", ["command"] = "/dbincident", ["text"] = "start primary down",
            ["api_app_id"] = "A0CERBERUS", ["is_enterprise_install"] = "false",
            ["response_url"] = "https://hooks.slack.com/commands/T1/1/x", ["trigger_id"] = "555.666.sm",
        };

        // act
        var envelopeId = await _server.SendEnvelopeAsync(connection, "slash_commands", payload);
        await _server.WaitForAckAsync(envelopeId);

        // assert
        Assert.Equal("{\"envelope_id\":\"" + envelopeId + "\"}", _server.Acks[envelopeId].ToJsonString());
        var item = Assert.Single(_services.Inbox.Items);
        Assert.Equal("cmd:555.666.sm", item.Key);
        Assert.Equal(InboundKinds.Command, item.Kind);
        Assert.Contains("start primary down", item.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Envelope_InteractiveAndRetriedEvent_StoredOnceEachAndAllAcked()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connection = (await _server.WaitForOpenConnectionsAsync(1))[0];
        var click = SlackRequestSigner.BlockActionPayload("approve", "INC-2026-0001:a1", actionTs: "1700000009.000100");
        var evt = SlackRequestSigner.EventCallback("Ev0SOCKET1");

        // act
        var ids = new[]
        {
            await _server.SendEnvelopeAsync(connection, "interactive", click),
            await _server.SendEnvelopeAsync(connection, "events_api", evt),
            await _server.SendEnvelopeAsync(connection, "events_api", evt, retryAttempt: 1),
        };
        foreach (var id in ids)
        {
            await _server.WaitForAckAsync(id);
        }

        // assert
        Assert.Equal(["ev:Ev0SOCKET1", "ia:U2CERLKJA:1700000009.000100"], _services.Inbox.Items.Select(i => i.Key).Order());
    }

    [Fact]
    public async Task Frame_OverTheCap_ConnectionClosedAndReplacedAndNothingStored()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connection = (await _server.WaitForOpenConnectionsAsync(2))[0];
        var huge = "{\"envelope_id\":\"big\",\"type\":\"events_api\",\"payload\":{\"x\":\"" + new string('a', 70 * 1024) + "\"}}";

        // act
        await _server.SendRawAsync(connection, huge);
        await Eventually.Async(() => connection.ClosedAt is not null, FakeSocketModeServer.DefaultWait, "the oversized connection was not closed", FakeSocketModeServer.Poll);
        await Eventually.Async(() => _server.OpenConnections.Count == 2, FakeSocketModeServer.DefaultWait, "no replacement connected", FakeSocketModeServer.Poll);
        var next = _server.OpenConnections.First(c => c.Id != connection.Id);
        var envelopeId = await _server.SendEnvelopeAsync(next, "events_api", SlackRequestSigner.EventCallback("Ev0AFTERBIG"));
        await _server.WaitForAckAsync(envelopeId);

        // assert
        Assert.False(_server.Acks.ContainsKey("big"));
        Assert.Equal("ev:Ev0AFTERBIG", Assert.Single(_services.Inbox.Items).Key);
        Assert.Contains(_services.Logs.Lines, l => l.Contains("over 65536 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Envelope_SlashCommandFromAnotherWorkspace_AnsweredInTheAckAndNotStored()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connection = (await _server.WaitForOpenConnectionsAsync(1))[0];
        var payload = new JsonObject
        {
            ["team_id"] = "T0ELSEWHERE", ["channel_id"] = "C1", ["user_id"] = "U1", ["command"] = "/dbincident",
            ["text"] = "start private words", ["api_app_id"] = "A0CERBERUS",
            ["response_url"] = "https://hooks.slack.com/commands/T0ELSEWHERE/1/x", ["trigger_id"] = "555.777.sm",
        };

        // act
        var envelopeId = await _server.SendEnvelopeAsync(connection, "slash_commands", payload);
        await _server.WaitForAckAsync(envelopeId);

        // assert
        Assert.Equal("ephemeral", (string?)_server.Acks[envelopeId]["payload"]?["response_type"]);
        Assert.Equal("This app only serves its own workspace, and it has not confirmed which one that is yet (Slack's auth.test has not answered). Try again in a minute.", (string?)_server.Acks[envelopeId]["payload"]?["text"]);
        Assert.Empty(_services.Inbox.Items);
        var refusal = Assert.Single(_services.Logs.Lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("T0ELSEWHERE", StringComparison.Ordinal));
        Assert.DoesNotContain("private words", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_NotJson_IgnoredAndTheConnectionKeepsWorking()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connection = (await _server.WaitForOpenConnectionsAsync(1))[0];

        // act
        await _server.SendRawAsync(connection, "{not json");
        var envelopeId = await _server.SendEnvelopeAsync(connection, "events_api", SlackRequestSigner.EventCallback("Ev0AFTERJUNK"));
        await _server.WaitForAckAsync(envelopeId);

        // assert
        Assert.True(connection.IsOpen);
        Assert.Equal("ev:Ev0AFTERJUNK", Assert.Single(_services.Inbox.Items).Key);
    }

    [Fact]
    public async Task Disconnect_RefreshRequested_ReplacementOpenBeforeTheOldOneCloses()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connections = await _server.WaitForOpenConnectionsAsync(2);
        var old = connections[0];

        // act
        await _server.SendDisconnectAsync(old, "refresh_requested");
        await Eventually.Async(() => old.ClosedAt is not null, FakeSocketModeServer.DefaultWait, "the old connection was not closed", FakeSocketModeServer.Poll);
        var now = await _server.WaitForOpenConnectionsAsync(2);
        var replacement = _server.Connections.Single(c => c.Id != old.Id && c.Id != connections[1].Id);
        var envelopeId = await _server.SendEnvelopeAsync(replacement, "events_api", SlackRequestSigner.EventCallback("Ev0AFTER"));
        await _server.WaitForAckAsync(envelopeId);

        // assert
        Assert.True(replacement.ConnectedAt <= old.ClosedAt, "the replacement connected after the old link closed");
        Assert.Equal(3, _server.OpenAuthorizations.Count);
        Assert.Equal(2, now.Count);
    }

    [Fact]
    public async Task Disconnect_LinkDisabled_StopsAllConnectionsAndDoesNotReconnect()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connections = await _server.WaitForOpenConnectionsAsync(2);

        // act
        await _server.SendDisconnectAsync(connections[0], "link_disabled");
        await Eventually.Async(() => _server.OpenConnections.Count == 0, FakeSocketModeServer.DefaultWait, "not every connection was closed", FakeSocketModeServer.Poll);
        await StoppedAsync();

        // assert
        Assert.Equal(2, _server.OpenAuthorizations.Count);
        Assert.Empty(_server.OpenConnections);
    }

    [Fact]
    public async Task DroppedLink_WithoutDisconnect_ReconnectsAfterBackoff()
    {
        // arrange
        await _sut.StartAsync(CancellationToken.None);
        var connections = await _server.WaitForOpenConnectionsAsync(2);

        // act
        await _server.DropAsync(connections[0]);
        await Eventually.Async(() => _server.Connections.Count == 3 && _server.OpenConnections.Count == 2, FakeSocketModeServer.DefaultWait, "no new connection", FakeSocketModeServer.Poll);

        // assert
        Assert.Equal(3, _server.OpenAuthorizations.Count);
    }

    [Fact]
    public async Task Open_InvalidAuth_StopsWithoutARetryStorm()
    {
        // arrange
        _server.OpenError = "invalid_auth";

        // act
        await _sut.StartAsync(CancellationToken.None);
        await Eventually.Async(() => _server.OpenAuthorizations.Count >= 1, FakeSocketModeServer.DefaultWait, "no open attempt", FakeSocketModeServer.Poll);
        await StoppedAsync();

        // assert
        Assert.InRange(_server.OpenAuthorizations.Count, 1, 2);
        Assert.Empty(_server.Connections);
        Assert.DoesNotContain(_services.Logs.Lines, l => l.Contains("SECRET", StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits until Socket Mode has stopped for good (every connection loop has ended), so that a "did not reconnect"
    /// assertion afterwards is about a service that can no longer reconnect, not about a pause that was long enough.
    /// </summary>
    private Task StoppedAsync() =>
        Eventually.Async(() => _sut.ExecuteTask is { IsCompleted: true }, FakeSocketModeServer.DefaultWait, "Socket Mode did not stop", FakeSocketModeServer.Poll);
}
