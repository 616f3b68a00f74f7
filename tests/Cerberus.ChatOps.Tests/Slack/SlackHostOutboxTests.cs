using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace Cerberus.ChatOps.Tests.Slack;

/// <summary>The real host's wiring: auth.test at start, and the outbox worker draining into a flaky Slack.</summary>
[Collection(SlackHostCollection.Name)]
public sealed class SlackHostOutboxTests : IAsyncLifetime
{
    private FakeSlackServer _slack = null!;
    private SlackAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        var settings = SlackServices.Fast(_slack).ToDictionary(kv => kv.Key, kv => kv.Value);
        settings["Cerberus:Kubernetes:Enabled"] = "false";
        _app = new SlackAppFactory(settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Host_SlackFailingThenRecovering_AuthTestAtStartAndEveryOutboxMessageOnce()
    {
        // arrange
        using var client = _app.CreateClient();
        _slack.FailNext("chat.postMessage", 3, 503);
        _slack.FailAfterProcessingNext("chat.postMessage");
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, 5).Select(i => new OutboxItem
        {
            Id = $"INC-2026-0009:{i}",
            IncidentId = "INC-2026-0009",
            Kind = i == 0 ? OutboxKinds.Post : OutboxKinds.Thread,
            Channel = "C9",
            MessageRef = "header",
            Payload = JsonSerializer.Serialize(new SlackMessage { Text = $"message {i}" }),
            CreatedAt = now.AddMilliseconds(i),
        }).ToList();

        // act
        await _app.Outbox.EnqueueAsync(items, CancellationToken.None);
        _app.Services.GetRequiredService<OutboxSignal>().Notify();
        await Eventually.Async(() => _app.Outbox.Items.Select(i => i.Status).ToList(), s => s.All(i => i == OutboxStatus.Sent), TimeSpan.FromSeconds(60), "not every outbox item was sent");

        // assert
        Assert.Equal(items.Select(i => i.Id), _slack.Messages.Select(m => m.OutboxId));
        Assert.All(_slack.Messages.Skip(1), m => Assert.Equal(_slack.Messages[0].Ts, m.ThreadTs));
        Assert.Contains(_slack.Calls, c => c.Method == "auth.test" && c.Authorization == "Bearer xoxb-test-0000-SECRET");
        Assert.Contains(_slack.Calls, c => c.Status == 503);
    }
}
