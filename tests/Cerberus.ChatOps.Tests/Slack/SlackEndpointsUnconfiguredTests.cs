using System.Net;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.Tests.Slack;

[Collection(SlackHostCollection.Name)]
public sealed class SlackEndpointsUnconfiguredTests
{
    [Fact]
    public async Task Commands_NoSigningSecretConfigured_HostStartsAndRefusesWith401()
    {
        // arrange
        await using var app = SlackAppFactory.WithSecret(secret: null);
        using var client = app.CreateClient();
        var request = new SlackRequestSigner(string.Empty).SlashCommand("start");

        // act
        var response = await client.SendAsync(request);
        var health = await client.GetAsync("/healthz");

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(app.Inbox.Items);
    }
}
