using System.Net;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace Cerberus.ChatOps.Tests.Slack;

/// <summary>One workspace over HTTP: requests from elsewhere are answered and never reach the inbox.</summary>
[Collection(SlackHostCollection.Name)]
public sealed class SlackEndpointsWorkspaceTests : IAsyncLifetime
{
    private readonly SlackAppFactory _app = new(new Dictionary<string, string?>
    {
        ["Slack:SigningSecret"] = SlackAppFactory.Secret,
        ["Slack:ApiBaseUrl"] = "http://127.0.0.1:9/api/",
        ["Slack:AllowedTeamIds:0"] = "T0LISTED",
    });

    private readonly SlackRequestSigner _slack = new(SlackAppFactory.Secret);
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _app.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Commands_OtherWorkspace_EphemeralRefusalAndNothingStored()
    {
        // arrange
        _app.Services.GetRequiredService<SlackWorkspaceGate>().Learn("T0OWN");
        var request = _slack.SlashCommand("start secret outage words", triggerId: "900.1.refused");

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)body["response_type"]);
        Assert.Equal("This app only serves its own workspace.", (string?)body["text"]);
        Assert.Empty(_app.Inbox.Items);
    }

    [Fact]
    public async Task Commands_BeforeAuthTestAnswered_RefusedSayingSoUnlessListed()
    {
        // arrange
        var foreign = _slack.SlashCommand("status", triggerId: "900.2.unknown");

        // act
        var response = await _client.SendAsync(foreign);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["text"];
        Assert.Contains("auth.test has not answered", text, StringComparison.Ordinal);
        Assert.Empty(_app.Inbox.Items);
    }

    [Fact]
    public async Task Interactions_SlackConnectUserFromAnotherOrg_Empty200AndNothingStored()
    {
        // arrange
        _app.Services.GetRequiredService<SlackWorkspaceGate>().Learn(SlackRequestSigner.TeamId);
        var payload = SlackRequestSigner.BlockActionPayload("approve", "INC-2026-0001:a1", actionTs: "1700000001.000901");
        payload["user"]!["team_id"] = "T0PARTNER";

        // act
        var response = await _client.SendAsync(_slack.BlockAction(payload));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(_app.Inbox.Items);
    }

    [Fact]
    public async Task Events_OtherWorkspace_Empty200AndNothingStored()
    {
        // arrange
        _app.Services.GetRequiredService<SlackWorkspaceGate>().Learn("T0OWN");
        var body = SlackRequestSigner.EventCallback("Ev0FOREIGN").ToJsonString();

        // act
        var response = await _client.SendAsync(_slack.SignedPost("/slack/events", body, "application/json"));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_app.Inbox.Items);
    }

    [Fact]
    public async Task Commands_OwnWorkspace_Stored()
    {
        // arrange
        _app.Services.GetRequiredService<SlackWorkspaceGate>().Learn(SlackRequestSigner.TeamId);

        // act
        var response = await _client.SendAsync(_slack.SlashCommand("status", triggerId: "900.3.own"));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cmd:900.3.own", Assert.Single(_app.Inbox.Items).Key);
    }
}
