using System.Text.Json;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Drill.Live;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Drill;

/// <summary>Live drills: parsing, the deny-by-default refusals, the writer's bookkeeping, Patroni's ignore_slots entry, the figures.</summary>
public sealed class LiveDrillTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("drill --live slot-fill", IncidentCommandKind.LiveDrill, "slot-fill")]
    [InlineData("drill --LIVE  Slot-Fill ", IncidentCommandKind.LiveDrill, "slot-fill")]
    [InlineData("drill --live", IncidentCommandKind.Help, "")]
    [InlineData("drill --live disk-full", IncidentCommandKind.Help, "")]
    [InlineData("drill --lively slot-fill", IncidentCommandKind.Help, "")]
    public void Parse_LiveDrill_NamesALiveScenarioOrShowsHelp(string text, IncidentCommandKind kind, string argument)
    {
        // arrange
        // act
        var command = IncidentCommandParser.Parse(text);

        // assert
        Assert.Equal(kind, command.Kind);
        Assert.Equal(argument, command.Argument);
        if (kind == IncidentCommandKind.Help)
        {
            Assert.Contains("--live <slot-fill>", command.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_LiveLeaderStop_SaysItIsNotAvailableYet()
    {
        // arrange
        // act
        var command = IncidentCommandParser.Parse("drill --live leader-stop");

        // assert
        Assert.Equal(IncidentCommandKind.Help, command.Kind);
        Assert.Contains("`leader-stop` is not available yet", command.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveDrill_NotEnabled_RefusedPolitelyAndPrivatelyAndNothingDeclared()
    {
        // arrange: a roster member asks, but live drills are off (the default)
        await using var h = new EngineHarness();

        // act
        await h.Dispatcher.OnCommandAsync(Command("drill --live slot-fill", Some.Approver), None);
        await h.IdleAsync();

        // assert
        var outbox = await h.OutboxAsync();
        Assert.Empty(await h.Store.ListAsync(false, 10, None));
        var reply = Assert.Single(outbox);
        Assert.Equal(OutboxKinds.ResponseUrl, reply.Item.Kind);
        Assert.Contains("Live drills are off here", reply.Message.Text, StringComparison.Ordinal);
        Assert.Contains("Cerberus__Drill__LiveEnabled=true", reply.Message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveDrill_EnabledButNotOnTheRoster_RefusedAndNothingDeclared()
    {
        // arrange
        await using var h = new EngineHarness();
        h.LiveDrill.LiveEnabled = true;

        // act
        await h.Dispatcher.OnCommandAsync(Command("drill --live slot-fill", Some.Stranger), None);
        await h.IdleAsync();

        // assert
        var outbox = await h.OutboxAsync();
        Assert.Empty(await h.Store.ListAsync(false, 10, None));
        var reply = Assert.Single(outbox);
        Assert.Equal(OutboxKinds.ResponseUrl, reply.Item.Kind);
        Assert.Contains("Only a member of the approver roster may start a live drill", reply.Message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveDrill_OpenIncidentInTheChannel_RefusedWithoutInjecting()
    {
        // arrange
        await using var h = new EngineHarness();
        h.LiveDrill.LiveEnabled = true;
        await h.Dispatcher.OnCommandAsync(Command("start API returns 500s", Some.Starter), None);
        await h.IdleAsync();

        // act
        await h.Dispatcher.OnCommandAsync(Command("drill --live slot-fill", Some.Approver), None);
        await h.IdleAsync();

        // assert
        var incidents = await h.Store.ListAsync(false, 10, None);
        Assert.False(Assert.Single(incidents).Summary.StartsWith(LiveDrillResult.SummaryPrefix, StringComparison.Ordinal));
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("a live drill starts only in a channel without an open incident", StringComparison.Ordinal));
    }

    [Fact]
    public void Ledger_AcknowledgedWritesComparedWithTheRowsFound_LostNamedBySequenceAndLsn()
    {
        // arrange: five writes; #3 errored (not acknowledged), #4 acknowledged but missing after recovery
        var ledger = new DrillWriteLedger();
        var seqs = Enumerable.Range(0, 5).Select(_ => ledger.Next()).ToList();
        ledger.Acknowledge(seqs[0], "0/3000060");
        ledger.Acknowledge(seqs[1], "0/30000C8");
        ledger.Fail();
        ledger.Acknowledge(seqs[3], "0/3000198");
        ledger.Acknowledge(seqs[4], "0/3000200");

        // act: the primary has 1, 2, 3 (the unacknowledged one made it) and 5
        var (survived, lost) = ledger.Compare(new HashSet<long> { 1, 2, 3, 5 });

        // assert
        Assert.Equal([1L, 2L, 3L, 4L, 5L], seqs);
        Assert.Equal(4, ledger.Acknowledged);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal(3, survived);
        Assert.Equal([new LostWrite(4, "0/3000198")], lost);
    }

    [Fact]
    public void Ledger_NothingFound_EveryAcknowledgedWriteLost()
    {
        // arrange
        var ledger = new DrillWriteLedger();
        ledger.Acknowledge(ledger.Next(), "0/1");
        ledger.Acknowledge(ledger.Next(), "0/2");

        // act
        var (survived, lost) = ledger.Compare(new HashSet<long>());

        // assert
        Assert.Equal(0, survived);
        Assert.Equal([1L, 2L], lost.Select(l => l.Sequence));
    }

    [Fact]
    public void IgnoreSlots_DrillEntryAddedBesideTheOperatorsAndRemovedLeavingThem()
    {
        // arrange
        using var existing = JsonDocument.Parse("""[{"name":"backup_tool","type":"physical"}]""");
        using var absent = JsonDocument.Parse("null");

        // act
        var added = SlotFillFault.WithEntry(existing.RootElement, "cerberus_live_drill");
        using var addedDoc = JsonDocument.Parse(added.ToJsonString());
        var removed = SlotFillFault.WithoutEntry(addedDoc.RootElement, "cerberus_live_drill");
        var onlyOurs = SlotFillFault.WithEntry(absent.RootElement, "cerberus_live_drill");
        using var onlyOursDoc = JsonDocument.Parse(onlyOurs.ToJsonString());

        // assert
        Assert.Equal("""[{"name":"backup_tool","type":"physical"},{"name":"cerberus_live_drill","type":"physical"}]""", added.ToJsonString());
        Assert.Equal("""[{"name":"backup_tool","type":"physical"}]""", removed!.ToJsonString());
        Assert.Null(SlotFillFault.WithoutEntry(onlyOursDoc.RootElement, "cerberus_live_drill"));
    }

    [Fact]
    public void Result_Line_TimeToRecoveryAgainstTheRtoAndTheWrites()
    {
        // arrange
        var ok = Result(T0.AddSeconds(14), 120, 120, []);
        var lost = Result(T0.AddHours(5), 120, 118, [new LostWrite(17, "0/3000148"), new LostWrite(18, "0/30001F0")]);
        var unread = Result(null, 120, null, []) with { RecoveredBy = "not recovered within the drill's limit of 1 h" };

        // act
        // assert
        Assert.Equal("live drill slot-fill: time to recovery 14 s, RTO 4 h met, 3 h 59 min to spare; acknowledged writes 120, survived 120, lost 0", ok.Line());
        Assert.Equal("live drill slot-fill: time to recovery 5 h, RTO 4 h missed by 1 h; acknowledged writes 120, survived 118, lost 2", lost.Line());
        Assert.Equal("#17 at 0/3000148, #18 at 0/30001F0", lost.LostNames());
        Assert.Equal("live drill slot-fill: not recovered (not recovered within the drill's limit of 1 h), RTO 4 h; acknowledged writes 120, survived unknown, lost unknown", unread.Line());
    }

    [Fact]
    public void Report_LiveDrillIncident_MarkedAndCarriesTheDrillsFigures()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0042", "C0INCIDENT", LiveDrillResult.SummaryPrefix + "slot-fill: an inactive replication slot retaining WAL", Some.Approver, T0);
        incident.RecordLiveDrill(Result(T0.AddSeconds(20), 300, 299, [new LostWrite(250, "0/5000028")]), T0.AddSeconds(21));
        incident.Resolve(Some.Approver, "drill", force: true, Some.Policy(), T0.AddMinutes(1));

        // act
        var markdown = PostIncidentReportBuilder.Build(incident, null, T0.AddMinutes(2)).ToMarkdown();

        // assert
        Assert.True(incident.IsLiveDrill);
        Assert.False(incident.Drill);
        Assert.StartsWith("# [LIVE DRILL] INC-2026-0042", markdown, StringComparison.Ordinal);
        Assert.Contains("> **LIVE DRILL**", markdown, StringComparison.Ordinal);
        Assert.Contains("| Time to recovery (injection → verified recovery) | 20 s — RTO 4 h met", markdown, StringComparison.Ordinal);
        Assert.Contains("| Acknowledged writes | 300 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Survived | 299 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Lost | 1: #250 at 0/5000028 |", markdown, StringComparison.Ordinal);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Note && e.Actor == Incident.BotActor && e.Text.Contains("lost: #250 at 0/5000028", StringComparison.Ordinal));
        Assert.Equal(PostIncidentReportMarkdown.Sections, markdown.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal) || l.StartsWith("### ", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public void Document_LiveDrillResult_SurvivesTheStoresJsonRoundTrip()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0043", "C0INCIDENT", LiveDrillResult.SummaryPrefix + "slot-fill: x", Some.Approver, T0);
        var result = Result(T0.AddSeconds(9), 10, 9, [new LostWrite(7, "0/70")]);
        incident.RecordLiveDrill(result, T0.AddSeconds(10));

        // act
        var restored = Incident.Restore(IncidentDocument.Deserialize(IncidentDocument.Serialize(incident.ToSnapshot()), 1));

        // assert
        Assert.NotNull(restored.LiveDrill);
        Assert.Equal(result.Line(), restored.LiveDrill.Line());
        Assert.Equal(result.Lost, restored.LiveDrill.Lost);
        Assert.Null(Incident.Restore(IncidentDocument.Deserialize(IncidentDocument.Serialize(Some.DeclaredIncident().ToSnapshot()), 1)).LiveDrill);
    }

    [Fact]
    public void Message_LostWrites_WarnsAndNamesThem()
    {
        // arrange
        var result = Result(T0.AddSeconds(30), 50, 49, [new LostWrite(42, "0/4200")]);

        // act
        var text = LiveDrills.Message(result, "Cluster restored.");

        // assert
        Assert.StartsWith(":warning:", text, StringComparison.Ordinal);
        Assert.Contains("#42 at 0/4200", text, StringComparison.Ordinal);
        Assert.Contains("Cluster restored.", text, StringComparison.Ordinal);
    }

    private static LiveDrillResult Result(DateTimeOffset? recovered, long acknowledged, long? survived, IReadOnlyList<LostWrite> lost) =>
        new("slot-fill", "inactive physical slot cerberus_live_drill retaining 40 MiB", T0, recovered, "A-1 verified", acknowledged, survived, lost, 0);

    private static SlashCommand Command(string text, string user) =>
        new("T0", EngineHarness.Channel, "incident", user, "someone", "/dbincident", text, $"https://hooks.slack.com/commands/T0/1/{Guid.NewGuid():N}", Guid.NewGuid().ToString("N"));
}
