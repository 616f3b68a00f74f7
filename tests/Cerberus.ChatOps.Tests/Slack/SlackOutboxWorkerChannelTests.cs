using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace Cerberus.ChatOps.Tests.Slack;

/// <summary>The outbox's <see cref="OutboxKinds.OpenChannel"/> item against the fake Slack over HTTP.</summary>
public sealed class SlackOutboxWorkerChannelTests : IAsyncLifetime
{
    private const string Incident = "INC-2026-0001";
    private const string Declaring = "C0DECLARED";
    private const string Name = "inc-2026-0001-db-down";
    private readonly FakeChannelRecorder _recorder = new();
    private FakeSlackServer _slack = null!;
    private SlackServices _services = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        _services = new SlackServices(SlackServices.Fast(_slack), more: s => s.AddSingleton<IIncidentChannelRecorder>(_recorder));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task ProcessOnceAsync_OpenChannel_CreatesInvitesHandsItBackThenPointerHeaderAndTheReplyQueuedBehindIt()
    {
        // arrange
        var open = OpenItem();
        var reply = Item(OutboxKinds.Thread, "diagnostics: primary unresponsive", 1);
        await _services.Outbox.EnqueueAsync([open, reply], CancellationToken.None);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(2, done);
        var channel = Assert.Single(_slack.Channels);
        Assert.Equal(Name, channel.Name);
        Assert.Equal(
            new[] { "conversations.create", "conversations.invite", "chat.postMessage", "chat.postMessage", "chat.postMessage" },
            _slack.Calls.Select(c => c.Method));
        Assert.Equal("U0STARTER,U0DBA", _slack.CallsTo("conversations.invite")[0].Form["users"]);
        Assert.Equal(new[] { (Incident, Declaring, (string?)channel.Id, (string?)null) }, _recorder.Calls);
        var posted = _slack.Messages;
        Assert.Equal((Declaring, $"{Incident} is worked in <#{channel.Id}>"), (posted[0].Channel, posted[0].Text));
        Assert.Equal((channel.Id, $"{Incident} header", open.Id), (posted[1].Channel, posted[1].Text, posted[1].OutboxId));
        Assert.Equal((channel.Id, posted[1].Ts), (posted[2].Channel, posted[2].ThreadTs));
        Assert.Equal((channel.Id, posted[1].Ts), await _services.Outbox.GetMessageRefAsync(Incident, "header", CancellationToken.None));
        Assert.Equal((OutboxStatus.Sent, posted[1].Ts), (_services.Outbox.Get(open.Id).Status, _services.Outbox.Get(open.Id).ResultTs));
    }

    [Fact]
    public async Task ProcessOnceAsync_CreateProcessedButAnsweredWith500_TheRetryMeetsNameTakenAndFindsTheSameChannel()
    {
        // arrange: the bot is in other channels too (the look-up pages through them)
        var api = _services.Get<ISlackApi>();
        foreach (var other in new[] { "general-ops", "inc-2025-0042-old", "random" })
        {
            await api.CreateConversationAsync(other, isPrivate: false, CancellationToken.None);
        }

        _slack.FailAfterProcessingNext("conversations.create");
        var open = OpenItem();
        await _services.Outbox.EnqueueAsync([open], CancellationToken.None);
        var sut = CreateSut();
        await sut.ProcessOnceAsync(CancellationToken.None);
        var afterFirst = _services.Outbox.Get(open.Id);
        await WaitDueAsync(afterFirst);

        // act
        var done = await sut.ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal((OutboxStatus.InFlight, (string?)null), (afterFirst.Status, afterFirst.ResultTs));
        Assert.Equal(1, done);
        var channel = Assert.Single(_slack.Channels, c => c.Name == Name);
        Assert.Equal(5, _slack.CallsTo("conversations.create").Count);
        Assert.Equal("name_taken", _slack.CallsTo("conversations.create")[^1].Error);
        Assert.Equal(2, _slack.CallsTo("users.conversations").Count);
        Assert.Equal(channel.Id, Assert.Single(_recorder.Calls).Channel);
        Assert.Single(_slack.Messages, m => m.Channel == channel.Id && m.OutboxId == open.Id);
    }

    [Fact]
    public async Task ProcessOnceAsync_NameTakenByAChannelTheBotIsNotIn_HeaderInTheDeclaringChannelWithTheReason()
    {
        // arrange
        _slack.SeedChannel(Name, DateTimeOffset.UtcNow.AddDays(-30));
        var open = OpenItem();
        await _services.Outbox.EnqueueAsync([open], CancellationToken.None);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(1, done);
        Assert.Empty(_slack.CallsTo("users.conversations"));
        Assert.Empty(_slack.CallsTo("conversations.invite"));
        Assert.Equal(new[] { (Incident, Declaring, (string?)null, (string?)"name_taken") }, _recorder.Calls);
        var header = Assert.Single(_slack.Messages);
        Assert.Equal((Declaring, $"{Incident} header"), (header.Channel, header.Text));
        Assert.Equal((Declaring, header.Ts), await _services.Outbox.GetMessageRefAsync(Incident, "header", CancellationToken.None));
    }

    [Fact]
    public async Task ProcessOnceAsync_PointerRefusedForGood_TheHeaderIsPostedAnyway()
    {
        // arrange
        _slack.ErrorNext("chat.postMessage", "not_in_channel");
        var open = OpenItem();
        await _services.Outbox.EnqueueAsync([open], CancellationToken.None);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(1, done);
        var channel = Assert.Single(_slack.Channels);
        var header = Assert.Single(_slack.Messages);
        Assert.Equal((channel.Id, open.Id), (header.Channel, header.OutboxId));
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(open.Id).Status);
    }

    private SlackOutboxWorker CreateSut() => _services.Get<SlackOutboxWorker>();

    private static async Task WaitDueAsync(OutboxItem item)
    {
        var wait = item.NextAttemptAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(20));
        }
    }

    private static OutboxItem OpenItem() => Item(OutboxKinds.OpenChannel, "header as declared", 0) with
    {
        Payload = SlackMessageJson.Serialize(new SlackMessage { Text = "header as declared", NewChannel = new SlackNewChannel(Name, false, ["U0STARTER", "U0DBA"]) }),
    };

    private static OutboxItem Item(string kind, string text, int n) => new()
    {
        Id = $"{Incident}/1/{n}",
        IncidentId = Incident,
        Kind = kind,
        Channel = Declaring,
        Payload = SlackMessageJson.Serialize(new SlackMessage { Text = text }),
        MessageRef = "header",
        CreatedAt = DateTimeOffset.UtcNow.AddMilliseconds(n),
    };
}
