using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Store;
using Microsoft.Extensions.Time.Testing;
using static Cerberus.ChatOps.IntegrationTests.Store.StoreTestData;

namespace Cerberus.ChatOps.IntegrationTests.Store;

/// <summary>
/// The contract every store passes, against a real database: each test gets a database of its own, and may open
/// several store instances on it (as several replicas would).
/// </summary>
public abstract class IncidentStoreContract : IAsyncLifetime
{
    private readonly List<ICerberusStore> _stores = [];
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Leases and claims that lapse within a test (by the database's clock: the tests wait in real time).</summary>
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ShortClaim = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(300);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));

    protected CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync() => await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }

        await DropDatabaseAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task SaveAsync_RichIncident_GetReturnsEverySnapshotField()
    {
        // arrange
        var store = await NewStoreAsync();
        var incident = Rich("INC-2026-0001", "C-OPS");

        // act
        await store.SaveAsync(incident, [], Ct);
        var loaded = await LoadAsync(store, incident.Id);

        // assert
        Assert.NotNull(loaded);
        Assert.Equal(Dump(incident), Dump(loaded));
        Assert.Equal(1, loaded.Version);
        Assert.Equal(IncidentState.Mitigated, loaded.State);
        Assert.Equal(incident.Timeline.Count, loaded.Timeline.Count);
        var action = Assert.Single(loaded.Actions);
        Assert.Equal("0", action.Parameters["replicas"]);
        Assert.Equal("3", action.Figures["replicas_before"]);
        Assert.True(action.NeedsUndo);
        var probe = loaded.Diagnoses[0].Results[0];
        Assert.Equal("false", probe.Facts["primary_reachable"]);
        Assert.Equal(TimeSpan.FromHours(2), probe.SymptomSince!.Value.Offset);
        Assert.Equal(["10.0.0.5:5432 refused", "timeout after 3 s"], probe.Details);
        Assert.Equal([50], loaded.RemindersSent);
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        // arrange
        var store = await NewStoreAsync();

        // act
        var loaded = await LoadAsync(store, "INC-2026-9999");

        // assert
        Assert.Null(loaded);
    }

    [Fact]
    public async Task SaveAsync_LoadedIncidentChangedAndSavedAgain_IncrementsVersionAndKeepsTheChange()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [], Ct);
        var loaded = (await LoadAsync(store, "INC-2026-0001"))!;
        loaded.AddNote("U1", "second thought", T0.AddMinutes(1));

        // act
        await store.SaveAsync(loaded, [], Ct);
        var reloaded = (await LoadAsync(store, "INC-2026-0001"))!;

        // assert
        Assert.Equal(2, loaded.Version);
        Assert.Equal(2, reloaded.Version);
        Assert.Equal("second thought", reloaded.Timeline[^1].Text);
    }

    [Fact]
    public async Task FindOpenInChannelAsync_OpenAndCancelledIncidents_ReturnsOnlyTheOpenOne()
    {
        // arrange
        var store = await NewStoreAsync();
        var cancelled = Declared("INC-2026-0001", "C-ONE", T0);
        cancelled.Cancel("U1", ApprovalPolicy.Default, T0.AddMinutes(1));
        await store.SaveAsync(cancelled, [], Ct);
        await store.SaveAsync(Declared("INC-2026-0002", "C-ONE", T0.AddMinutes(2)), [], Ct);
        var closedElsewhere = Declared("INC-2026-0003", "C-TWO", T0.AddMinutes(3));
        closedElsewhere.Resolve("U1", "fixed", force: false, ApprovalPolicy.Default, T0.AddMinutes(4));
        await store.SaveAsync(closedElsewhere, [], Ct);

        // act
        var inOne = await store.FindOpenInChannelAsync("C-ONE", Ct);
        var inTwo = await store.FindOpenInChannelAsync("C-TWO", Ct);
        var inNone = await store.FindOpenInChannelAsync("C-NONE", Ct);

        // assert
        Assert.Equal("INC-2026-0002", inOne?.Id);
        Assert.Null(inTwo);
        Assert.Null(inNone);
    }

    [Fact]
    public async Task FindOpenInChannelAsync_IncidentMovedToItsOwnChannel_IsFoundFromBothChannels()
    {
        // arrange
        var store = await NewStoreAsync();
        var incident = Declared("INC-2026-0001", "C-DECLARED", T0);
        await store.SaveAsync(incident, [], Ct);
        incident.MoveToChannel("C-INCIDENT");
        await store.SaveAsync(incident, [], Ct);

        // act
        var fromDeclared = await store.FindOpenInChannelAsync("C-DECLARED", Ct);
        var fromOwn = await store.FindOpenInChannelAsync("C-INCIDENT", Ct);

        // assert
        Assert.Equal("INC-2026-0001", fromDeclared?.Id);
        Assert.Equal("C-INCIDENT", fromOwn?.Channel);
    }

    [Fact]
    public async Task SaveAsync_IncidentWaitingForItsChannel_IsFoundWhereItWasDeclaredThenSettlesOnceInItsChannel()
    {
        // arrange
        var store = await NewStoreAsync();
        var incident = Declared("INC-2026-0001", "C-DECLARED", T0);
        incident.AwaitChannel();
        await store.SaveAsync(incident, [], Ct);
        var waiting = (await store.FindOpenInChannelAsync("C-DECLARED", Ct))!;
        var pendingWhenFound = waiting.ChannelPending;

        // act
        var settled = waiting.SettleChannel("C-INCIDENT", "incident channel created", T0.AddSeconds(2));
        await store.SaveAsync(waiting, [], Ct);
        var loaded = (await LoadAsync(store, "INC-2026-0001"))!;
        var again = loaded.SettleChannel("C-OTHER", "incident channel created", T0.AddSeconds(3));

        // assert
        Assert.True(pendingWhenFound);
        Assert.True(settled);
        Assert.False(loaded.ChannelPending);
        Assert.Equal("C-INCIDENT", loaded.Channel);
        Assert.False(again);
        Assert.Single(loaded.Timeline, e => e.Text == "incident channel created");
        Assert.Equal("INC-2026-0001", (await store.FindOpenInChannelAsync("C-DECLARED", Ct))?.Id);
        Assert.Equal("INC-2026-0001", (await store.FindOpenInChannelAsync("C-INCIDENT", Ct))?.Id);
    }

    [Fact]
    public async Task ListAsync_OpenOnlyAndLimit_FiltersAndOrdersNewestFirst()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.SaveAsync(Declared("INC-2026-0001", "C-1", T0), [], Ct);
        var resolved = Declared("INC-2026-0002", "C-2", T0.AddHours(1));
        resolved.Resolve("U1", "disk full", force: false, ApprovalPolicy.Default, T0.AddHours(2));
        await store.SaveAsync(resolved, [], Ct);
        await store.SaveAsync(Incident.Declare("INC-2026-0003", "C-3", "drill", "U3", T0.AddHours(3), drill: true), [], Ct);

        // act
        var all = await store.ListAsync(openOnly: false, limit: 10, Ct);
        var open = await store.ListAsync(openOnly: true, limit: 10, Ct);
        var newest = await store.ListAsync(openOnly: false, limit: 2, Ct);

        // assert
        Assert.Equal(["INC-2026-0003", "INC-2026-0002", "INC-2026-0001"], all.Select(s => s.Id));
        Assert.Equal(["INC-2026-0003", "INC-2026-0001"], open.Select(s => s.Id));
        Assert.Equal(["INC-2026-0003", "INC-2026-0002"], newest.Select(s => s.Id));
        var summary = all[1];
        Assert.Equal(new IncidentSummary("INC-2026-0002", "C-2", "primary down", IncidentState.Resolved, "U1", T0.AddHours(1), T0.AddHours(2), false), summary);
        Assert.True(all[0].Drill);
    }

    [Fact]
    public async Task ListOpenClocksAsync_PendingCardAndReminders_ReturnsTheTimerColumnsOfOpenIncidentsOldestFirst()
    {
        // arrange: an open incident with a card waiting and two reminders sent, a newer open one, a resolved one
        var store = await NewStoreAsync();
        var waiting = WithPendingCard(Rich("INC-2026-0001", "C-1"), expiresAt: T0.AddHours(3));
        waiting.RecordReminder(75, T0.AddHours(3));
        await store.SaveAsync(waiting, [], Ct);
        var detected = Declared("INC-2026-0002", "C-2", T0.AddHours(1));
        SymptomsSince(detected, T0.AddMinutes(30), T0.AddHours(1));
        await store.SaveAsync(detected, [], Ct);
        var resolved = Declared("INC-2026-0003", "C-3", T0.AddMinutes(10));
        resolved.Resolve("U1", "disk full", force: false, ApprovalPolicy.Default, T0.AddHours(2));
        await store.SaveAsync(resolved, [], Ct);

        // act
        var clocks = await store.ListOpenClocksAsync(limit: 10, Ct);

        // assert
        Assert.Equal(["INC-2026-0001", "INC-2026-0002"], clocks.Select(c => c.Id));
        Assert.Equal(waiting.State, clocks[0].State);
        Assert.Equal(waiting.DetectedAt, clocks[0].RtoStartedAt);
        Assert.Equal(T0.AddHours(3), clocks[0].NextApprovalExpiry);
        Assert.Equal([50, 75], clocks[0].RemindersSent);
        Assert.Equal(T0.AddMinutes(30), clocks[1].RtoStartedAt);
        Assert.Null(clocks[1].NextApprovalExpiry);
        Assert.Empty(clocks[1].RemindersSent);
    }

    [Fact]
    public async Task InitializeAsync_RowsSavedBeforeTheSummaryColumns_FillsThemFromTheDocuments()
    {
        // arrange: rows as a release before schema step 3 left them (document only)
        var store = await NewStoreAsync();
        var waiting = WithPendingCard(Rich("INC-2026-0001", "C-1"), expiresAt: T0.AddHours(3));
        await store.SaveAsync(waiting, [], Ct);
        await store.SaveAsync(Declared("INC-2026-0002", "C-2", T0.AddHours(1)), [], Ct);
        await ClearSummaryColumnsAsync();

        // act
        var restarted = await NewStoreAsync();
        var list = await restarted.ListAsync(openOnly: false, limit: 10, Ct);
        var clocks = await restarted.ListOpenClocksAsync(limit: 10, Ct);

        // assert
        Assert.Equal(new IncidentSummary("INC-2026-0001", "C-1", waiting.Summary, waiting.State, "U2", T0, null, true), list[1]);
        Assert.Equal(new IncidentSummary("INC-2026-0002", "C-2", "primary down", IncidentState.Declared, "U1", T0.AddHours(1), null, false), list[0]);
        Assert.Equal(T0.AddHours(3), clocks[0].NextApprovalExpiry);
        Assert.Equal([50], clocks[0].RemindersSent);
        Assert.Equal(T0.AddHours(1), clocks[1].RtoStartedAt);
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_ThrowsAndWritesNothingOutboxIncluded()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [], Ct);
        var first = (await LoadAsync(store, "INC-2026-0001"))!;
        var stale = (await LoadAsync(store, "INC-2026-0001"))!;
        first.AddNote("U1", "first writer", T0.AddMinutes(1));
        await store.SaveAsync(first, [Outbox("out-first", "INC-2026-0001", T0)], Ct);
        stale.AddNote("U2", "stale writer", T0.AddMinutes(2));

        // act
        var error = await Record.ExceptionAsync(() => store.SaveAsync(stale, [Outbox("out-stale", "INC-2026-0001", T0)], Ct));

        // assert
        Assert.IsType<ConcurrencyConflictException>(error);
        Assert.Equal(1, stale.Version);
        var stored = (await LoadAsync(store, "INC-2026-0001"))!;
        Assert.Equal(2, stored.Version);
        Assert.Equal("first writer", stored.Timeline[^1].Text);
        Assert.Null(await ((IOutboxStore)store).GetAsync("out-stale", Ct));
        Assert.NotNull(await ((IOutboxStore)store).GetAsync("out-first", Ct));
    }

    [Fact]
    public async Task SaveAsync_NewIncidentWithAnExistingId_ThrowsConcurrencyConflict()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [], Ct);
        var duplicate = Declared("INC-2026-0001", "C-OTHER", T0.AddMinutes(1));

        // act
        var error = await Record.ExceptionAsync(() => store.SaveAsync(duplicate, [Outbox("out-dup", "INC-2026-0001", T0)], Ct));

        // assert
        Assert.IsType<ConcurrencyConflictException>(error);
        Assert.Equal("C-OPS", (await LoadAsync(store, "INC-2026-0001"))!.Channel);
        Assert.Null(await ((IOutboxStore)store).GetAsync("out-dup", Ct));
    }

    [Fact]
    public async Task SaveAsync_ConcurrentSavesFromTwoInstances_ExactlyOneWinsEachRound()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [], Ct);
        const int rounds = 8;

        for (var round = 0; round < rounds; round++)
        {
            var a = (await LoadAsync(replicaA, "INC-2026-0001"))!;
            var b = (await LoadAsync(replicaB, "INC-2026-0001"))!;
            var before = a.Version;
            a.AddNote("UA", $"A{round}", T0.AddMinutes(round));
            b.AddNote("UB", $"B{round}", T0.AddMinutes(round));
            using var start = new Barrier(2);

            // act
            var results = await Task.WhenAll(
                Task.Run(() => SaveCountingAsync(replicaA, a, $"out-A{round}", start)),
                Task.Run(() => SaveCountingAsync(replicaB, b, $"out-B{round}", start)));

            // assert
            Assert.Equal(1, results.Count(r => r));
            var stored = (await LoadAsync(replicaA, "INC-2026-0001"))!;
            Assert.Equal(before + 1, stored.Version);
            var winner = results[0] ? "A" : "B";
            var loser = results[0] ? "B" : "A";
            Assert.Equal($"{winner}{round}", stored.Timeline[^1].Text);
            Assert.DoesNotContain(stored.Timeline, e => e.Text == $"{loser}{round}");
            Assert.NotNull(await ((IOutboxStore)replicaB).GetAsync($"out-{winner}{round}", Ct));
            Assert.Null(await ((IOutboxStore)replicaB).GetAsync($"out-{loser}{round}", Ct));
        }
    }

    [Fact]
    public async Task SaveAsync_ConcurrentInsertsOfTheSameIdFromTwoInstances_ExactlyOneWins()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        using var start = new Barrier(2);

        // act
        var results = await Task.WhenAll(
            Task.Run(() => SaveCountingAsync(replicaA, Declared("INC-2026-0001", "C-A", T0), "out-A", start)),
            Task.Run(() => SaveCountingAsync(replicaB, Declared("INC-2026-0001", "C-B", T0), "out-B", start)));

        // assert
        Assert.Equal(1, results.Count(r => r));
        var stored = (await LoadAsync(replicaA, "INC-2026-0001"))!;
        Assert.Equal(results[0] ? "C-A" : "C-B", stored.Channel);
        Assert.Equal(1, stored.Version);
    }

    [Fact]
    public async Task AllocateIncidentIdAsync_TwentyParallelCallersOnTwoInstances_GetTwentyConsecutiveIds()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        var now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

        // act
        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => (i % 2 == 0 ? replicaA : replicaB).AllocateIncidentIdAsync(now, Ct))));

        // assert
        Assert.Equal(Enumerable.Range(1, 20).Select(n => $"INC-2026-{n:D4}"), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllocateIncidentIdAsync_NewYear_StartsAgainAtOne()
    {
        // arrange
        var store = await NewStoreAsync();
        var first = await store.AllocateIncidentIdAsync(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero), Ct);
        var second = await store.AllocateIncidentIdAsync(new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.Zero), Ct);

        // act
        var nextYear = await store.AllocateIncidentIdAsync(new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.FromHours(2)), Ct);
        var utcYear = await store.AllocateIncidentIdAsync(new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.Zero), Ct);

        // assert
        Assert.Equal("INC-2026-0001", first);
        Assert.Equal("INC-2026-0002", second);
        Assert.Equal("INC-2026-0003", nextYear);
        Assert.Equal("INC-2027-0001", utcYear);
    }

    [Fact]
    public async Task TryAddAsync_SameKeyTwice_SecondIsFalseAndStoredOnce()
    {
        // arrange
        var store = await NewStoreAsync();
        var item = Inbound("trigger-1", T0);

        // act
        var first = await store.TryAddAsync(item, Ct);
        var second = await store.TryAddAsync(item with { Payload = "{\"retry\":true}" }, Ct);
        var pending = await store.ListPendingAsync(10, Ct);

        // assert
        Assert.True(first);
        Assert.False(second);
        Assert.Equal(item, Assert.Single(pending));
    }

    [Fact]
    public async Task TryAddAsync_SameKeyFromTwoInstancesAtOnce_ExactlyOneIsTrue()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();

        // act
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => (i % 2 == 0 ? replicaA : replicaB).TryAddAsync(Inbound("event-1", T0), Ct))));

        // assert
        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task TryAddAsync_ManyAtOnceWithRepeats_EachKeyTrueExactlyOnceAndEveryRowStored()
    {
        // arrange: 60 keys, each sent 4 times, all at once (a burst with Slack's retries in it)
        var store = await NewStoreAsync();
        var keys = Enumerable.Range(0, 60).Select(i => "burst-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // act
        var sends = keys.SelectMany(k => Enumerable.Repeat(k, 4)).Select(k => (Key: k, Added: Task.Run(() => store.TryAddAsync(Inbound(k, T0), Ct)))).ToList();
        await Task.WhenAll(sends.Select(s => s.Added));
        var pending = await store.ListPendingAsync(1000, Ct);

        // assert
        Assert.All(sends.GroupBy(s => s.Key), g => Assert.Equal(1, g.Count(s => s.Added.Result)));
        Assert.Equal(keys.Order(StringComparer.Ordinal), pending.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListPendingAsync_SomeDone_ReturnsTheRestInArrivalOrderUpToMax()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.TryAddAsync(Inbound("k3", T0.AddSeconds(1)), Ct);
        await store.TryAddAsync(Inbound("k1", T0.AddSeconds(1)), Ct);
        await store.TryAddAsync(Inbound("k2", T0), Ct);
        await store.TryAddAsync(Inbound("k4", T0.AddSeconds(2)), Ct);
        await DoneAsync(store, "k1");

        // act
        var pending = await store.ListPendingAsync(10, Ct);
        var firstTwo = await store.ListPendingAsync(2, Ct);

        // assert
        Assert.Equal(["k3", "k2", "k4"], pending.Select(i => i.Key));
        Assert.Equal(["k3", "k2"], firstTwo.Select(i => i.Key));
        Assert.All(pending, i => Assert.False(i.Done));
    }

    [Fact]
    public async Task PruneAsync_Cutoff_DeletesOnlyDoneItemsReceivedBefore()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.TryAddAsync(Inbound("old-done", T0), Ct);
        await store.TryAddAsync(Inbound("old-pending", T0), Ct);
        await store.TryAddAsync(Inbound("new-done", T0.AddHours(2)), Ct);
        await DoneAsync(store, "old-done");
        await DoneAsync(store, "new-done");

        // act
        await store.PruneAsync(T0.AddHours(1), Ct);

        // assert
        Assert.True(await store.TryAddAsync(Inbound("old-done", T0), Ct));
        Assert.False(await store.TryAddAsync(Inbound("new-done", T0), Ct));
        Assert.False(await store.TryAddAsync(Inbound("old-pending", T0), Ct));
        Assert.Equal(["old-pending", "old-done"], (await store.ListPendingAsync(10, Ct)).Select(i => i.Key));
    }

    [Fact]
    public async Task ListDueAsync_MixedStatusesAndTimes_ReturnsDuePendingAndInFlightUpToTheFirstNotDueInCreationOrder()
    {
        // arrange
        var store = await NewStoreAsync();
        var now = T0.AddMinutes(10);
        await store.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [Outbox("o1", "INC-2026-0001", T0.AddMinutes(5)), Outbox("o2", "INC-2026-0001", T0)], Ct);
        await store.EnqueueAsync(
        [
            Outbox("o3", "", T0, OutboxStatus.InFlight),
            Outbox("o4", "", T0, OutboxStatus.Sent),
            Outbox("o5", "", T0, OutboxStatus.Dead),
            Outbox("o6", "", T0, OutboxStatus.Pending, next: now.AddSeconds(1)),
            Outbox("o7", "", T0, OutboxStatus.Pending, next: now),
        ], Ct);

        // act
        var due = await store.ListDueAsync(now, 10, 10, Ct);
        var firstTwo = await store.ListDueAsync(now, 2, 10, Ct);
        var later = await store.ListDueAsync(now.AddSeconds(1), 10, 10, Ct);

        // assert: o6 is not due yet, so o7 (same channel, later) waits behind it
        Assert.Equal(["o1", "o2", "o3"], due.Select(o => o.Id));
        Assert.Equal(["o1", "o2"], firstTwo.Select(o => o.Id));
        Assert.Equal(["o1", "o2", "o3", "o6", "o7"], later.Select(o => o.Id));
        Assert.Equal(Outbox("o1", "INC-2026-0001", T0.AddMinutes(5)), due[0]);
    }

    [Fact]
    public async Task BacklogAsync_PendingInFlightSentAndDead_CountsTheUnsentAndDatesTheOldest()
    {
        // arrange: an empty store, then four items of which two are not sent yet (one of them not due for a while)
        var store = await NewStoreAsync();
        IOutboxStore outbox = store;
        var empty = await outbox.BacklogAsync(Ct);
        await outbox.EnqueueAsync(
        [
            Outbox("o-sent", "INC-2026-0001", T0, OutboxStatus.Sent),
            Outbox("o-pending", "INC-2026-0001", T0.AddSeconds(10), next: T0.AddHours(1)),
            Outbox("o-dead", "INC-2026-0001", T0.AddSeconds(20), OutboxStatus.Dead),
            Outbox("o-inflight", "INC-2026-0002", T0.AddSeconds(30), OutboxStatus.InFlight, channel: "C-OTHER"),
        ], Ct);

        // act
        var backlog = await outbox.BacklogAsync(Ct);

        // assert
        Assert.Equal(QueueBacklog.Empty, empty);
        Assert.Equal(new QueueBacklog(2, T0.AddSeconds(10)), backlog);
        Assert.Equal(TimeSpan.FromSeconds(50), backlog.OldestAge(T0.AddMinutes(1)));
    }

    [Fact]
    public async Task InboxBacklogAsync_DoneAndWaiting_CountsTheWaitingAndDatesTheOldest()
    {
        // arrange
        var store = await NewStoreAsync();
        IInboxStore inbox = store;
        await inbox.TryAddAsync(Inbound("k1", T0), Ct);
        await inbox.TryAddAsync(Inbound("k2", T0.AddSeconds(5)), Ct);
        await inbox.TryAddAsync(Inbound("k3", T0.AddSeconds(9)), Ct);
        await inbox.TryClaimAsync("k1", "owner-a", ClaimTimeout, Ct);
        await inbox.MarkDoneAsync("k1", "owner-a", Ct);
        await inbox.TryClaimAsync("k2", "owner-a", ClaimTimeout, Ct);

        // act
        var backlog = await inbox.BacklogAsync(Ct);

        // assert: the claimed one still waits until it is done
        Assert.Equal(new QueueBacklog(2, T0.AddSeconds(5)), backlog);
    }

    [Fact]
    public async Task UpdateClaimedAsync_SendOutcome_GetReturnsItAndDueListFollowsIt()
    {
        // arrange
        var store = await NewStoreAsync();
        IOutboxStore outbox = store;
        await outbox.EnqueueAsync([Outbox("o1", "INC-2026-0001", T0), Outbox("o2", "INC-2026-0001", T0)], Ct);
        var inFlight = Outbox("o1", "INC-2026-0001", T0) with { Status = OutboxStatus.InFlight, Attempts = 1, NextAttemptAt = T0.AddSeconds(30), LastError = "timeout" };
        var sent = Outbox("o2", "INC-2026-0001", T0) with { Status = OutboxStatus.Sent, Attempts = 2, LastError = "ratelimited", ResultTs = "1764126000.000100" };
        await outbox.TryClaimAsync("o1", "owner-a", T0, ClaimTimeout, Ct);
        await outbox.TryClaimAsync("o2", "owner-a", T0, ClaimTimeout, Ct);

        // act
        var keptClaim = await outbox.UpdateClaimedAsync(inFlight, "owner-a", release: false, Ct);
        var released = await outbox.UpdateClaimedAsync(sent, "owner-a", release: true, Ct);

        // assert
        Assert.True(keptClaim);
        Assert.True(released);
        Assert.Equal(inFlight with { ClaimedBy = "owner-a" }, await outbox.GetAsync("o1", Ct));
        Assert.Equal(sent, await outbox.GetAsync("o2", Ct));
        Assert.Empty(await outbox.ListDueAsync(T0.AddSeconds(29), 10, 10, Ct));
        Assert.Equal(["o1"], (await outbox.ListDueAsync(T0.AddSeconds(30), 10, 10, Ct)).Select(o => o.Id));
        Assert.Null(await outbox.GetAsync("o-unknown", Ct));
        Assert.False(await outbox.UpdateClaimedAsync(Outbox("o-unknown", "", T0), "owner-a", release: true, Ct));
    }

    [Fact]
    public async Task UpdateClaimedAsync_InFlightWithAResultAndNoRelease_TheOwnersNextClaimResumesWithItAndOthersWait()
    {
        // arrange: an open_channel item whose channel was created, then its process died (claim kept, not released)
        var store = await NewStoreAsync();
        IOutboxStore outbox = store;
        await outbox.EnqueueAsync([Outbox("o1", "INC-2026-0001", T0) with { Kind = "open_channel" }], Ct);
        var claimed = (await outbox.TryClaimAsync("o1", "owner-a", T0, ClaimTimeout, Ct))!;
        await outbox.UpdateClaimedAsync(claimed with { Status = OutboxStatus.InFlight, Attempts = 1, ResultTs = "C-NEW" }, "owner-a", release: false, Ct);

        // act
        var byOther = await outbox.TryClaimAsync("o1", "owner-b", T0, ClaimTimeout, Ct);
        var resumed = await outbox.TryClaimAsync("o1", "owner-a", T0, ClaimTimeout, Ct);

        // assert
        Assert.Null(byOther);
        Assert.NotNull(resumed);
        Assert.Equal((OutboxStatus.InFlight, 1, "C-NEW", "open_channel"), (resumed.Status, resumed.Attempts, resumed.ResultTs, resumed.Kind));
    }

    [Fact]
    public async Task UpdateClaimedAsync_NotTheClaimOwner_WritesNothing()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.EnqueueAsync([Outbox("o1", "", T0), Outbox("o2", "", T0)], Ct);
        await store.TryClaimAsync("o1", "owner-a", T0, ClaimTimeout, Ct);

        // act
        var byOther = await store.UpdateClaimedAsync(Outbox("o1", "", T0) with { Status = OutboxStatus.Sent }, "owner-b", release: true, Ct);
        var unclaimed = await store.UpdateClaimedAsync(Outbox("o2", "", T0) with { Status = OutboxStatus.Sent }, "owner-b", release: true, Ct);

        // assert
        Assert.False(byOther);
        Assert.False(unclaimed);
        Assert.Equal(OutboxStatus.Pending, (await ((IOutboxStore)store).GetAsync("o1", Ct))!.Status);
        Assert.Equal("owner-a", (await ((IOutboxStore)store).GetAsync("o1", Ct))!.ClaimedBy);
        Assert.Equal(OutboxStatus.Pending, (await ((IOutboxStore)store).GetAsync("o2", Ct))!.Status);
    }

    [Fact]
    public async Task ListDueAsync_SeveralChannels_ANotDueHeadHoldsBackOnlyItsOwnChannelAndEachChannelIsCapped()
    {
        // arrange
        var store = await NewStoreAsync();
        var now = T0.AddMinutes(10);
        await store.EnqueueAsync(
        [
            Outbox("paced-1", "", T0, next: now.AddSeconds(30), channel: "C-BUSY"),
            Outbox("paced-2", "", T0, channel: "C-BUSY"),
            Outbox("backlog-1", "", T0, channel: "C-LOUD"),
            Outbox("backlog-2", "", T0, channel: "C-LOUD"),
            Outbox("backlog-3", "", T0, channel: "C-LOUD"),
            Outbox("ref-update", "INC-2026-0007", T0, channel: ""),
            Outbox("approval-card", "INC-2026-0001", T0.AddMinutes(9), channel: "C-INC"),
        ], Ct);

        // act
        var due = await store.ListDueAsync(now, 10, 2, Ct);
        var capped = await store.ListDueAsync(now, 3, 2, Ct);

        // assert
        Assert.Equal(["backlog-1", "backlog-2", "ref-update", "approval-card"], due.Select(o => o.Id));
        Assert.Equal(["backlog-1", "backlog-2", "ref-update"], capped.Select(o => o.Id));
    }

    [Fact]
    public async Task TryClaimAsync_SentDeadUnknownOrNotDue_ReturnsNull()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.EnqueueAsync(
        [
            Outbox("sent", "", T0, OutboxStatus.Sent),
            Outbox("dead", "", T0, OutboxStatus.Dead),
            Outbox("later", "", T0, next: T0.AddMinutes(1)),
            Outbox("in-flight", "", T0, OutboxStatus.InFlight),
        ], Ct);

        // act
        var sent = await store.TryClaimAsync("sent", "owner-a", T0, ClaimTimeout, Ct);
        var dead = await store.TryClaimAsync("dead", "owner-a", T0, ClaimTimeout, Ct);
        var unknown = await store.TryClaimAsync("unknown", "owner-a", T0, ClaimTimeout, Ct);
        var later = await store.TryClaimAsync("later", "owner-a", T0, ClaimTimeout, Ct);
        var inFlight = await store.TryClaimAsync("in-flight", "owner-a", T0, ClaimTimeout, Ct);

        // assert
        Assert.Null(sent);
        Assert.Null(dead);
        Assert.Null(unknown);
        Assert.Null(later);
        Assert.Equal(Outbox("in-flight", "", T0, OutboxStatus.InFlight) with { ClaimedBy = "owner-a" }, inFlight);
    }

    [Fact]
    public async Task TryClaimAsync_OutboxItemTenOwnersOnTwoInstancesAtOnce_ExactlyOneWins()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.EnqueueAsync([Outbox("o1", "", T0)], Ct);
        using var start = new Barrier(10);

        // act
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => OnOwnThread(async () =>
        {
            start.SignalAndWait(Ct);
            return await (i % 2 == 0 ? replicaA : replicaB).TryClaimAsync("o1", $"owner-{i}", T0, ClaimTimeout, Ct);
        })));

        // assert
        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(winner.ClaimedBy, (await ((IOutboxStore)replicaB).GetAsync("o1", Ct))!.ClaimedBy);
    }

    [Fact]
    public async Task TryClaimAsync_OutboxLeaseLapsedMidPass_TheNewLeaseHolderCannotSendTheItemTheFirstHolds()
    {
        // arrange: replica A holds the lease, claims o1 and marks it InFlight; its send is slow (429s, pacing)
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.EnqueueAsync([Outbox("o1", "", T0)], Ct);
        Assert.True(await replicaA.TryAcquireAsync("outbox-worker", "replica-a", ShortLease, Ct));
        var claimed = (await replicaA.TryClaimAsync("o1", "replica-a", T0, ClaimTimeout, Ct))!;
        await replicaA.UpdateClaimedAsync(claimed with { Status = OutboxStatus.InFlight, Attempts = 1 }, "replica-a", release: false, Ct);
        await Task.Delay(ShortLease + Margin, Ct);

        // act
        var bTakesTheLease = await replicaB.TryAcquireAsync("outbox-worker", "replica-b", TimeSpan.FromMinutes(2), Ct);
        var bClaims = await replicaB.TryClaimAsync("o1", "replica-b", T0, ClaimTimeout, Ct);
        var bWrites = await replicaB.UpdateClaimedAsync(claimed with { Status = OutboxStatus.Sent }, "replica-b", release: true, Ct);
        var aFinishes = await replicaA.UpdateClaimedAsync(claimed with { Status = OutboxStatus.Sent, Attempts = 1, ResultTs = "1.1" }, "replica-a", release: true, Ct);

        // assert
        Assert.True(bTakesTheLease);
        Assert.Null(bClaims);
        Assert.False(bWrites);
        Assert.True(aFinishes);
        Assert.Equal("1.1", (await ((IOutboxStore)replicaB).GetAsync("o1", Ct))!.ResultTs);
    }

    [Fact]
    public async Task TryClaimAsync_OutboxClaimOfADeadOwnerAfterTheTimeout_IsReclaimedInFlightAndTheDeadOwnerCannotWrite()
    {
        // arrange: replica A claimed o1 and marked it InFlight, then died mid-send
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.EnqueueAsync([Outbox("o1", "", T0)], Ct);
        var claimed = (await replicaA.TryClaimAsync("o1", "replica-a", T0, ClaimTimeout, Ct))!;
        await replicaA.UpdateClaimedAsync(claimed with { Status = OutboxStatus.InFlight, Attempts = 1 }, "replica-a", release: false, Ct);
        var beforeTimeout = await replicaB.TryClaimAsync("o1", "replica-b", T0, ShortClaim, Ct);
        await Task.Delay(ShortClaim + Margin, Ct);

        // act
        var reclaimed = await replicaB.TryClaimAsync("o1", "replica-b", T0, ShortClaim, Ct);
        var deadOwnerWrites = await replicaA.UpdateClaimedAsync(claimed with { Status = OutboxStatus.Sent }, "replica-a", release: true, Ct);

        // assert
        Assert.Null(beforeTimeout);
        Assert.NotNull(reclaimed);
        Assert.Equal(OutboxStatus.InFlight, reclaimed.Status);
        Assert.Equal("replica-b", reclaimed.ClaimedBy);
        Assert.False(deadOwnerWrites);
    }

    [Fact]
    public async Task TryClaimAsync_AReplicaWhoseClockIsAnHourAhead_CannotTakeALiveClaimOrLease()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var ahead = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var replicaB = await NewStoreAsync(time: ahead);
        await replicaA.EnqueueAsync([Outbox("o1", "", T0)], Ct);
        await replicaA.TryAddAsync(Inbound("k1", T0), Ct);
        await replicaA.TryClaimAsync("o1", "replica-a", T0, ClaimTimeout, Ct);
        await replicaA.TryClaimAsync("k1", "replica-a", ClaimTimeout, Ct);
        await replicaA.TryAcquireAsync("outbox-worker", "replica-a", TimeSpan.FromMinutes(2), Ct);

        // act
        var outboxClaim = await replicaB.TryClaimAsync("o1", "replica-b", ahead.GetUtcNow(), ClaimTimeout, Ct);
        var inboxClaim = await replicaB.TryClaimAsync("k1", "replica-b", ClaimTimeout, Ct);
        var lease = await replicaB.TryAcquireAsync("outbox-worker", "replica-b", TimeSpan.FromMinutes(2), Ct);

        // assert
        Assert.Null(outboxClaim);
        Assert.Null(inboxClaim);
        Assert.False(lease);
    }

    [Fact]
    public async Task PruneSentAsync_Cutoff_DeletesOnlySentItemsCreatedBeforeAndKeepsMessageRefs()
    {
        // arrange
        var store = await NewStoreAsync();
        IOutboxStore outbox = store;
        await outbox.EnqueueAsync(
        [
            Outbox("old-sent", "INC-2026-0001", T0, OutboxStatus.Sent),
            Outbox("old-pending", "INC-2026-0001", T0),
            Outbox("old-dead", "INC-2026-0001", T0, OutboxStatus.Dead),
            Outbox("new-sent", "INC-2026-0001", T0.AddHours(2), OutboxStatus.Sent),
        ], Ct);
        await outbox.SetMessageRefAsync("INC-2026-0001", "header", "C-OPS", "1764126000.000100", Ct);

        // act
        await outbox.PruneSentAsync(T0.AddHours(1), Ct);

        // assert
        Assert.Null(await outbox.GetAsync("old-sent", Ct));
        Assert.NotNull(await outbox.GetAsync("old-pending", Ct));
        Assert.NotNull(await outbox.GetAsync("old-dead", Ct));
        Assert.NotNull(await outbox.GetAsync("new-sent", Ct));
        Assert.Equal(("C-OPS", "1764126000.000100"), await outbox.GetMessageRefAsync("INC-2026-0001", "header", Ct));
    }

    [Fact]
    public async Task TryClaimAsync_InboxItemTenOwnersOnTwoInstancesAtOnce_ExactlyOneWins()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.TryAddAsync(Inbound("k1", T0), Ct);
        using var start = new Barrier(10);

        // act
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => OnOwnThread(async () =>
        {
            start.SignalAndWait(Ct);
            return await (i % 2 == 0 ? replicaA : replicaB).TryClaimAsync("k1", $"owner-{i}", ClaimTimeout, Ct);
        })));

        // assert
        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(1, winner.Attempts);
        Assert.Equal(winner.ClaimedBy, Assert.Single(await replicaB.ListPendingAsync(10, Ct)).ClaimedBy);
    }

    [Fact]
    public async Task TryClaimAsync_InboxLeaseLapsedMidBatch_TheNewLeaseHolderCannotProcessTheItemTheFirstHolds()
    {
        // arrange: replica A holds the inbox lease and is handling k1 slowly (conversations.create under 429s)
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.TryAddAsync(Inbound("k1", T0), Ct);
        await replicaA.TryAddAsync(Inbound("k2", T0), Ct);
        Assert.True(await replicaA.TryAcquireAsync("inbox-worker", "replica-a", ShortLease, Ct));
        Assert.NotNull(await replicaA.TryClaimAsync("k1", "replica-a", ClaimTimeout, Ct));
        await Task.Delay(ShortLease + Margin, Ct);

        // act
        var bTakesTheLease = await replicaB.TryAcquireAsync("inbox-worker", "replica-b", TimeSpan.FromMinutes(1), Ct);
        var bClaimsK1 = await replicaB.TryClaimAsync("k1", "replica-b", ClaimTimeout, Ct);
        var bClaimsK2 = await replicaB.TryClaimAsync("k2", "replica-b", ClaimTimeout, Ct);
        var bFinishesK1 = await replicaB.MarkDoneAsync("k1", "replica-b", Ct);
        var aFinishesK1 = await replicaA.MarkDoneAsync("k1", "replica-a", Ct);

        // assert
        Assert.True(bTakesTheLease);
        Assert.Null(bClaimsK1);
        Assert.NotNull(bClaimsK2);
        Assert.False(bFinishesK1);
        Assert.True(aFinishesK1);
        Assert.Equal(["k2"], (await replicaB.ListPendingAsync(10, Ct)).Select(i => i.Key));
    }

    [Fact]
    public async Task TryClaimAsync_InboxClaimOfADeadOwnerAfterTheTimeout_IsReclaimedWithTheAttemptCountedAndTheDeadOwnerCannotFinish()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.TryAddAsync(Inbound("k1", T0), Ct);
        await replicaA.TryClaimAsync("k1", "replica-a", ClaimTimeout, Ct);
        var beforeTimeout = await replicaB.TryClaimAsync("k1", "replica-b", ShortClaim, Ct);
        await Task.Delay(ShortClaim + Margin, Ct);

        // act
        var reclaimed = await replicaB.TryClaimAsync("k1", "replica-b", ShortClaim, Ct);
        var deadOwnerFinishes = await replicaA.MarkDoneAsync("k1", "replica-a", Ct);
        var deadOwnerReleases = await replicaA.ReleaseAsync("k1", "replica-a", "late", Ct);
        var newOwnerFinishes = await replicaB.MarkDoneAsync("k1", "replica-b", Ct);

        // assert
        Assert.Null(beforeTimeout);
        Assert.Equal(2, reclaimed?.Attempts);
        Assert.False(deadOwnerFinishes);
        Assert.False(deadOwnerReleases);
        Assert.True(newOwnerFinishes);
        Assert.Empty(await replicaA.ListPendingAsync(10, Ct));
    }

    [Fact]
    public async Task TryClaimAsync_ReleasedThenClaimedOnAnotherInstanceThenSetAside_AttemptsPersistAndTheItemIsDone()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();
        await replicaA.TryAddAsync(Inbound("k1", T0), Ct);
        await replicaA.TryClaimAsync("k1", "replica-a", ClaimTimeout, Ct);
        await replicaA.ReleaseAsync("k1", "replica-a", "the incident store is not available", Ct);
        var afterRelease = Assert.Single(await replicaB.ListPendingAsync(10, Ct));

        // act
        var second = await replicaB.TryClaimAsync("k1", "replica-b", ClaimTimeout, Ct);
        var again = await replicaB.TryClaimAsync("k1", "replica-b", ClaimTimeout, Ct);
        var setAside = await replicaB.SetAsideAsync("k1", "replica-b", "it timed out", Ct);
        var afterSetAside = await replicaB.TryClaimAsync("k1", "replica-b", ClaimTimeout, Ct);

        // assert
        Assert.Equal(Inbound("k1", T0) with { Attempts = 1, LastError = "the incident store is not available" }, afterRelease);
        Assert.Equal(2, second?.Attempts);
        Assert.Equal(3, again?.Attempts);
        Assert.True(setAside);
        Assert.Null(afterSetAside);
        Assert.Empty(await replicaA.ListPendingAsync(10, Ct));
        Assert.False(await replicaA.TryAddAsync(Inbound("k1", T0), Ct));
    }

    [Fact]
    public async Task MarkDoneAsync_WithoutAClaim_IsRefusedAndTheItemStaysPending()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.TryAddAsync(Inbound("k1", T0), Ct);

        // act
        var done = await store.MarkDoneAsync("k1", "owner-a", Ct);
        var setAside = await store.SetAsideAsync("k1", "owner-a", "reason", Ct);
        var unknown = await store.MarkDoneAsync("k-unknown", "owner-a", Ct);

        // assert
        Assert.False(done);
        Assert.False(setAside);
        Assert.False(unknown);
        Assert.Equal(Inbound("k1", T0), Assert.Single(await store.ListPendingAsync(10, Ct)));
    }

    [Fact]
    public async Task EnqueueAsync_SameIdTwice_KeepsTheFirst()
    {
        // arrange
        var store = await NewStoreAsync();
        IOutboxStore outbox = store;
        await outbox.EnqueueAsync([Outbox("o1", "INC-2026-0001", T0)], Ct);

        // act
        await outbox.EnqueueAsync([Outbox("o1", "INC-2026-0001", T0) with { Payload = "{\"again\":true}" }], Ct);

        // assert
        Assert.Equal(Outbox("o1", "INC-2026-0001", T0), Assert.Single(await outbox.ListDueAsync(T0, 10, 10, Ct)));
    }

    [Fact]
    public async Task StoredTimes_SubMicrosecondTicksAndAnOffset_ComeBackInUtcToTheMicrosecond()
    {
        // arrange
        var store = await NewStoreAsync();
        var precise = T0.AddTicks(1_234_567).ToOffset(TimeSpan.FromHours(-5));
        var microsecond = T0.AddTicks(1_234_560);

        // act
        await store.EnqueueAsync([Outbox("o1", "", precise)], Ct);
        await store.TryAddAsync(Inbound("k1", precise), Ct);
        var item = (await ((IOutboxStore)store).GetAsync("o1", Ct))!;
        var inbound = Assert.Single(await store.ListPendingAsync(1, Ct));
        var dueAtTheMicrosecond = await store.ListDueAsync(microsecond, 10, 10, Ct);

        // assert
        Assert.Equal(microsecond.UtcTicks, item.CreatedAt.UtcTicks);
        Assert.Equal(microsecond.UtcTicks, item.NextAttemptAt.UtcTicks);
        Assert.Equal(microsecond.UtcTicks, inbound.ReceivedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, item.CreatedAt.Offset);
        Assert.Equal(TimeSpan.Zero, inbound.ReceivedAt.Offset);
        Assert.Equal(["o1"], dueAtTheMicrosecond.Select(o => o.Id));
    }

    [Fact]
    public async Task SetMessageRefAsync_Twice_GetReturnsTheLatest()
    {
        // arrange
        var store = await NewStoreAsync();
        await store.SetMessageRefAsync("INC-2026-0001", "header", "C-OPS", "1764126000.000100", Ct);

        // act
        await store.SetMessageRefAsync("INC-2026-0001", "header", "C-INC", "1764126999.000200", Ct);
        var header = await store.GetMessageRefAsync("INC-2026-0001", "header", Ct);
        var other = await store.GetMessageRefAsync("INC-2026-0001", "diagnostics", Ct);
        var otherIncident = await store.GetMessageRefAsync("INC-2026-0002", "header", Ct);

        // assert
        Assert.Equal(("C-INC", "1764126999.000200"), header);
        Assert.Null(other);
        Assert.Null(otherIncident);
    }

    [Fact]
    public async Task TryAcquireAsync_HeldRenewedAndExpired_OnlyTheHolderUntilItExpiresByTheDatabaseClock()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();

        // act
        var aTakes = await replicaA.TryAcquireAsync("timers", "replica-a", ShortLease, Ct);
        var bWhileHeld = await replicaB.TryAcquireAsync("timers", "replica-b", ShortLease, Ct);
        var aRenews = await replicaA.TryAcquireAsync("timers", "replica-a", ShortLease, Ct);
        await Task.Delay(ShortLease + Margin, Ct);
        var bAfterExpiry = await replicaB.TryAcquireAsync("timers", "replica-b", TimeSpan.FromMinutes(1), Ct);
        var aAfterLosing = await replicaA.TryAcquireAsync("timers", "replica-a", TimeSpan.FromMinutes(1), Ct);
        var otherName = await replicaA.TryAcquireAsync("reports", "replica-a", TimeSpan.FromMinutes(1), Ct);

        // assert
        Assert.True(aTakes);
        Assert.False(bWhileHeld);
        Assert.True(aRenews);
        Assert.True(bAfterExpiry);
        Assert.False(aAfterLosing);
        Assert.True(otherName);
    }

    [Fact]
    public async Task TryAcquireAsync_TenOwnersAtOnce_ExactlyOneGetsIt()
    {
        // arrange
        var replicaA = await NewStoreAsync();
        var replicaB = await NewStoreAsync();

        // act
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => (i % 2 == 0 ? replicaA : replicaB).TryAcquireAsync("timers", $"owner-{i}", TimeSpan.FromMinutes(1), Ct))));

        // assert
        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task InitializeAsync_Twice_IsIdempotentAndKeepsData()
    {
        // arrange
        var store = await NewStoreAsync(initialize: false);
        var before = await store.GetSchemaVersionAsync(Ct);
        await store.InitializeAsync(Ct);
        await store.SaveAsync(Declared("INC-2026-0001", "C-OPS", T0), [], Ct);

        // act
        await store.InitializeAsync(Ct);
        var restarted = await NewStoreAsync();

        // assert
        Assert.Equal(0, before);
        Assert.Equal(store.LatestSchemaVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.NotNull(await LoadAsync(restarted, "INC-2026-0001"));
    }

    [Fact]
    public async Task InitializeAsync_FourInstancesAtOnceOnAFreshDatabase_AllSucceedOnce()
    {
        // arrange
        var stores = new List<ICerberusStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add(await NewStoreAsync(initialize: false));
        }

        using var start = new Barrier(stores.Count);

        // act
        var error = await Record.ExceptionAsync(() => Task.WhenAll(stores.Select(s => OnOwnThread(async () =>
        {
            start.SignalAndWait(Ct);
            await s.InitializeAsync(Ct);
        }))));

        // assert
        Assert.Null(error);
        Assert.All(stores, s => Assert.Equal(s.LatestSchemaVersion, s.GetSchemaVersionAsync(Ct).GetAwaiter().GetResult()));
        Assert.Equal("INC-2026-0001", await stores[0].AllocateIncidentIdAsync(T0, Ct));
    }

    /// <summary>A new store instance (a "replica") on this test's database, with its own process clock.</summary>
    internal abstract ICerberusStore CreateStoreInstance(TimeProvider time);

    protected abstract Task CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    /// <summary>Sets the columns of schema step 3 back to NULL on every incident row.</summary>
    protected abstract Task ClearSummaryColumnsAsync();

    /// <summary>The incident with a second card, a scale-down waiting for approval until <paramref name="expiresAt"/>.</summary>
    private static Incident WithPendingCard(Incident incident, DateTimeOffset expiresAt)
    {
        var result = incident.ProposeAction(
            new ActionRecord
            {
                Id = "act-2",
                Kind = RemediationKind.ScaleBackendDown,
                Target = "deployment/cerberus-backend",
                Description = "scale cerberus-backend from 3 to 0 replicas",
                BasedOn = "3 replicas ready",
                ObservedFingerprint = "replicas=3",
                ProposedBy = "U2",
                ProposedAt = expiresAt.AddMinutes(-15),
                ExpiresAt = expiresAt,
            },
            ApprovalPolicy.Default,
            expiresAt.AddMinutes(-15));
        Assert.True(result.Succeeded, result.ToString());
        return incident;
    }

    internal async Task<ICerberusStore> NewStoreAsync(bool initialize = true, TimeProvider? time = null)
    {
        var store = CreateStoreInstance(time ?? TimeProvider.System);
        _stores.Add(store);
        if (initialize)
        {
            await store.InitializeAsync(Ct);
        }

        return store;
    }

    private Task<Incident?> LoadAsync(IIncidentStore store, string incidentId) => store.GetAsync(incidentId, Ct);

    private async Task DoneAsync(ICerberusStore store, string key)
    {
        Assert.NotNull(await store.TryClaimAsync(key, "owner-done", ClaimTimeout, Ct));
        Assert.True(await store.MarkDoneAsync(key, "owner-done", Ct));
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own up to its first await: the callers meet at a blocking
    /// barrier, and ten of them on the thread pool would wait for it to grow (seconds) before the race even starts.
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private static Task OnOwnThread(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task<bool> SaveCountingAsync(ICerberusStore store, Incident incident, string outboxId, Barrier start)
    {
        start.SignalAndWait(Ct);
        try
        {
            await store.SaveAsync(incident, [Outbox(outboxId, incident.Id, T0)], Ct);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}
