using System.Text.Json;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

/// <summary>How Patroni 3.0.2 reads permanent slots and ignore_slots (dcs/__init__.py, postgresql/slots.py, utils.py).</summary>
public sealed class PatroniSlotConfigTests
{
    private static PatroniSlotConfig CreateSut(string configJson) =>
        PatroniSlotConfig.From(JsonSerializer.Deserialize<PatroniDynamicConfig>(configJson)!);

    [Fact]
    public void From_SlotsMapping_ReadsTypesLikePatroni()
    {
        // arrange / act
        var sut = CreateSut("""
            {"ttl":20,"slots":{"archive":{"type":"physical"},"bare":null,"cdc":{"database":"app","plugin":"pgoutput"},
             "Bad-Name":{"type":"physical"},"odd":"text","half":{"type":"logical","database":"app"}}}
            """);

        // assert
        Assert.Equal(["archive", "bare", "cdc"], sut.Permanent.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new PermanentSlot("archive", "slots", "physical", null, null, DeclaredNull: false), sut.FindPermanent("archive"));
        Assert.Equal(new PermanentSlot("bare", "slots", "physical", null, null, DeclaredNull: true), sut.FindPermanent("bare"));
        Assert.Equal(new PermanentSlot("cdc", "slots", "logical", "app", "pgoutput", DeclaredNull: false), sut.FindPermanent("cdc"));
        Assert.Contains(sut.Problems, p => p.Contains("'Bad-Name' is not a valid slot name", StringComparison.Ordinal));
        Assert.Contains(sut.Problems, p => p.Contains("'odd' has a value Patroni rejects", StringComparison.Ordinal));
        Assert.Contains(sut.Problems, p => p.Contains("'half' has a value Patroni rejects", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"permanent_replication_slots":{"a":null},"permanent_slots":{"b":null},"slots":{"c":null}}""", "permanent_replication_slots", "a")]
    [InlineData("""{"permanent_replication_slots":{},"permanent_slots":{"b":null},"slots":{"c":null}}""", "permanent_slots", "b")]
    [InlineData("""{"permanent_slots":null,"slots":{"c":{"type":"physical"}}}""", "slots", "c")]
    public void From_SeveralPermanentKeys_FirstNonEmptyWinsLikeClusterConfig(string json, string key, string slot)
    {
        // arrange / act
        var sut = CreateSut(json);

        // assert
        var only = Assert.Single(sut.Permanent.Values);
        Assert.Equal(key, only.Key);
        Assert.Equal(slot, only.Name);
    }

    [Fact]
    public void From_NoSlotKeys_NothingPermanentNothingIgnored()
    {
        // arrange / act
        var sut = CreateSut("""{"ttl":20,"loop_wait":2}""");

        // assert
        Assert.Empty(sut.Permanent);
        Assert.Empty(sut.Ignore);
        Assert.Empty(sut.Problems);
    }

    [Fact]
    public void RemovalPatches_DeclaredEntry_OneNullPatch()
    {
        // arrange
        var slot = CreateSut("""{"slots":{"archive":{"type":"physical"}}}""").FindPermanent("archive")!;

        // act
        var patches = PatroniSlotConfig.RemovalPatches(slot).Select(p => p.ToJsonString()).ToList();

        // assert
        Assert.Equal(["""{"slots":{"archive":null}}"""], patches);
    }

    [Fact]
    public void RemovalPatches_NullEntry_ReplacedByPhysicalFirstBecausePatchConfigIgnoresPoppingNone()
    {
        // arrange
        var slot = CreateSut("""{"permanent_slots":{"bare":null}}""").FindPermanent("bare")!;

        // act
        var patches = PatroniSlotConfig.RemovalPatches(slot).Select(p => p.ToJsonString()).ToList();

        // assert
        Assert.Equal(["""{"permanent_slots":{"bare":{"type":"physical"}}}""", """{"permanent_slots":{"bare":null}}"""], patches);
    }

    [Theory]
    [InlineData("""{"name":"keep"}""", "keep", "physical", null, null, true)]
    [InlineData("""{"name":"keep"}""", "other", "physical", null, null, false)]
    [InlineData("""{"type":"physical"}""", "anything", "physical", null, null, true)]
    [InlineData("""{"type":"logical","database":"app"}""", "cdc", "logical", "app", "wal2json", true)]
    [InlineData("""{"type":"logical","database":"app"}""", "cdc", "logical", "other", "wal2json", false)]
    [InlineData("""{"type":"logical","database":"app"}""", "phys", "physical", null, null, false)]
    [InlineData("""{"type":"physical","database":"app"}""", "phys", "physical", null, null, false)]
    [InlineData("""{"name":"cdc","plugin":"wal2json"}""", "cdc", "logical", "app", "pgoutput", false)]
    [InlineData("""{"name":"cdc","plugin":"","database":null}""", "cdc", "logical", "app", "pgoutput", true)]
    public void FindIgnore_Matcher_EveryGivenKeyMustEqualTheSlots(string matcher, string name, string type, string? database, string? plugin, bool expected)
    {
        // arrange
        var sut = CreateSut($$"""{"ignore_slots":[{{matcher}}]}""");
        var slot = new ReplicationSlotInfo(name, type, Active: false, "reserved", 10, database, plugin);

        // act
        var rule = sut.FindIgnore(slot);

        // assert
        Assert.Equal(expected, rule is not null);
    }

    [Fact]
    public void From_IgnoreSlotsEntryNotAMapping_ReportedAndSkipped()
    {
        // arrange / act
        var sut = CreateSut("""{"ignore_slots":["keep",{"name":"cdc","type":"logical","database":"app","plugin":"pgoutput"}]}""");

        // assert
        var rule = Assert.Single(sut.Ignore);
        Assert.Equal("{name: cdc, type: logical, database: app, plugin: pgoutput}", rule.ToString());
        Assert.Contains(sut.Problems, p => p.Contains("an `ignore_slots` entry is not a mapping: \"keep\"", StringComparison.Ordinal));
    }
}
