using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackInboxPrunerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly InMemoryInboxStore _inbox = new();
    private readonly InMemoryOutboxStore _outbox = new();

    [Fact]
    public async Task PruneOnceAsync_DoneItemsOlderThanRetention_RemovedOthersKept()
    {
        // arrange
        await Add("cmd:old-done", _time.GetUtcNow().AddMinutes(-16), done: true);
        await Add("cmd:old-pending", _time.GetUtcNow().AddMinutes(-16), done: false);
        await Add("cmd:recent-done", _time.GetUtcNow().AddMinutes(-9), done: true);

        // act
        await CreateSut().PruneOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(["cmd:old-pending", "cmd:recent-done"], _inbox.Items.Select(i => i.Key).Order());
    }

    [Fact]
    public async Task PruneOnceAsync_RetriedWithinRetention_StillADuplicate()
    {
        // arrange: Slack's last event retry comes about 5 minutes after the first delivery
        await Add("ev:Ev1", _time.GetUtcNow(), done: true);
        _time.Advance(TimeSpan.FromMinutes(6));
        await CreateSut().PruneOnceAsync(CancellationToken.None);

        // act
        var added = await _inbox.TryAddAsync(new InboundItem { Key = "ev:Ev1", Kind = InboundKinds.Event, Payload = "{}", ReceivedAt = _time.GetUtcNow() }, CancellationToken.None);

        // assert
        Assert.False(added);
    }

    [Fact]
    public async Task PruneOnceAsync_SentOutboxItemsOlderThanRetention_RemovedOthersKept()
    {
        // arrange
        var old = _time.GetUtcNow().AddMinutes(-16);
        await _outbox.EnqueueAsync(
        [
            OutboxItem("old-sent", old, OutboxStatus.Sent),
            OutboxItem("old-pending", old, OutboxStatus.Pending),
            OutboxItem("old-dead", old, OutboxStatus.Dead),
            OutboxItem("recent-sent", _time.GetUtcNow().AddMinutes(-9), OutboxStatus.Sent),
        ], CancellationToken.None);

        // act
        await CreateSut().PruneOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(["old-dead", "old-pending", "recent-sent"], _outbox.Items.Select(i => i.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PruneOnceAsync_InboxDown_TheOutboxIsStillPruned()
    {
        // arrange
        _inbox.Failure = new InvalidOperationException("inbox down");
        await _outbox.EnqueueAsync([OutboxItem("old-sent", _time.GetUtcNow().AddHours(-1), OutboxStatus.Sent)], CancellationToken.None);

        // act
        await CreateSut().PruneOnceAsync(CancellationToken.None);

        // assert
        Assert.Empty(_outbox.Items);
    }

    [Fact]
    public async Task PruneOnceAsync_StoreDown_LogsAndDoesNotThrow()
    {
        // arrange
        _inbox.Failure = new InvalidOperationException("store down");

        // act
        var ex = await Record.ExceptionAsync(() => CreateSut().PruneOnceAsync(CancellationToken.None));

        // assert
        Assert.Null(ex);
    }

    private async Task Add(string key, DateTimeOffset at, bool done)
    {
        await _inbox.TryAddAsync(new InboundItem { Key = key, Kind = InboundKinds.Command, Payload = "{}", ReceivedAt = at }, CancellationToken.None);
        if (done)
        {
            await _inbox.TryClaimAsync(key, "owner-a", TimeSpan.FromMinutes(5), CancellationToken.None);
            await _inbox.MarkDoneAsync(key, "owner-a", CancellationToken.None);
        }
    }

    private static OutboxItem OutboxItem(string id, DateTimeOffset createdAt, OutboxStatus status) => new()
    {
        Id = id,
        IncidentId = "INC-2026-0001",
        Kind = "post",
        Channel = "C1",
        Payload = "{}",
        CreatedAt = createdAt,
        Status = status,
    };

    private SlackInboxPruner CreateSut()
    {
        var provider = new ServiceCollection().AddSingleton<IInboxStore>(_inbox).AddSingleton<IOutboxStore>(_outbox).BuildServiceProvider();
        return new(provider.GetRequiredService<IServiceScopeFactory>(), new StaticOptionsMonitor<SlackOptions>(new SlackOptions()), _time, NullLogger<SlackInboxPruner>.Instance);
    }
}
