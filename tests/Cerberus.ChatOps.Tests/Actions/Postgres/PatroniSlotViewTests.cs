using System.Text.Json;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

/// <summary>Who owns a slot, and what the policy then allows: membership and configuration known or not.</summary>
public sealed class PatroniSlotViewTests
{
    private static readonly PatroniSlotConfig Config = PatroniSlotConfig.From(JsonSerializer.Deserialize<PatroniDynamicConfig>(
        """{"slots":{"archive":{"type":"physical"}},"ignore_slots":[{"name":"backup_keep","type":"physical"}]}""")!);

    private static ReplicationSlotInfo Physical(string name) => new(name, "physical", Active: false, "extended", 1 << 30);

    private static ReplicationSlotInfo Logical(string name) => new(name, "logical", Active: false, "reserved", 1 << 20, "app", "pgoutput");

    [Fact]
    public void OwnerOf_MembershipUnknown_PhysicalSlotUnknownAndRefused()
    {
        // arrange
        var sut = new PatroniSlotView(PatroniConfigured: true, Members: null, Config);
        var slot = Physical("old_standby");

        // act
        var owner = sut.OwnerOf(slot);
        var refusal = SlotPolicy.Refusal(slot, owner, allowPatroniSlot: true);

        // assert
        Assert.Equal(SlotOwnerKind.Unknown, owner.Kind);
        Assert.Equal("owner=unknown", owner.Fingerprint);
        Assert.Equal(
            "Patroni's /cluster could not be read, so the bot cannot tell whether physical slot old_standby belongs to a member (a stopped replica's slot looks like a dead one); no physical slot is dropped until /cluster answers",
            refusal);
    }

    [Fact]
    public void OwnerOf_MembershipUnknownEvenForAPermanentName_PhysicalStillRefused()
    {
        // arrange
        var sut = new PatroniSlotView(true, null, Config);

        // act
        var refusal = SlotPolicy.Refusal(Physical("archive"), sut.OwnerOf(Physical("archive")), allowPatroniSlot: false);

        // assert
        Assert.Contains("no physical slot is dropped until /cluster answers", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerOf_MembershipUnknownLogicalSlot_NotAMemberSlotSoAllowed()
    {
        // arrange
        var sut = new PatroniSlotView(true, null, Config);

        // act
        var owner = sut.OwnerOf(Logical("cdc"));

        // assert
        Assert.Equal(SlotOwnerKind.None, owner.Kind);
        Assert.Null(SlotPolicy.Refusal(Logical("cdc"), owner, allowPatroniSlot: false));
    }

    [Fact]
    public void OwnerOf_ConfigUnknown_RefusedBecauseItCouldBePermanent()
    {
        // arrange
        var sut = new PatroniSlotView(true, ["pg1", "pg2"], Config: null);

        // act
        var refusal = SlotPolicy.Refusal(Physical("old_standby"), sut.OwnerOf(Physical("old_standby")), allowPatroniSlot: false);

        // assert
        Assert.StartsWith("Patroni's /config could not be read, so the bot cannot tell whether old_standby is a permanent slot", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerOf_PermanentSlot_AllowedWithRiskNamingTheConfiguration()
    {
        // arrange
        var sut = new PatroniSlotView(true, ["pg1", "pg2"], Config);
        var slot = Physical("archive");

        // act
        var owner = sut.OwnerOf(slot);

        // assert
        Assert.Equal(SlotOwnerKind.Permanent, owner.Kind);
        Assert.Equal("owner=permanent:slots", owner.Fingerprint);
        Assert.Null(SlotPolicy.Refusal(slot, owner, allowPatroniSlot: false));
        Assert.StartsWith("archive is a permanent slot in Patroni's dynamic configuration (slots: {archive: {type: physical}})", owner.Risk(slot), StringComparison.Ordinal);
        Assert.Contains("a SQL drop alone is undone by the next leader", owner.Risk(slot), StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerOf_IgnoredSlot_AllowedWithRiskNamingIgnoreSlots()
    {
        // arrange
        var sut = new PatroniSlotView(true, ["pg1", "pg2"], Config);
        var slot = Physical("backup_keep");

        // act
        var owner = sut.OwnerOf(slot);

        // assert
        Assert.Equal(SlotOwnerKind.Ignored, owner.Kind);
        Assert.Null(SlotPolicy.Refusal(slot, owner, allowPatroniSlot: false));
        Assert.Equal(
            "slot backup_keep matches ignore_slots {name: backup_keep, type: physical}: it belongs to a consumer outside Patroni (backup, CDC, pg_receivewal); dropping it breaks that consumer.",
            owner.Risk(slot));
    }

    [Fact]
    public void OwnerOf_MemberSlot_RefusedUnlessAllowed()
    {
        // arrange
        var sut = new PatroniSlotView(true, ["pg1", "postgres-replica-0"], Config);
        var slot = Physical("postgres_replica_0");

        // act
        var owner = sut.OwnerOf(slot);

        // assert
        Assert.Equal("owner=member:postgres-replica-0", owner.Fingerprint);
        Assert.Contains("Patroni's slot for the current member postgres-replica-0", SlotPolicy.Refusal(slot, owner, allowPatroniSlot: false), StringComparison.Ordinal);
        Assert.Null(SlotPolicy.Refusal(slot, owner, allowPatroniSlot: true));
    }

    [Fact]
    public void OwnerOf_NoPatroniConfigured_NobodysSlot()
    {
        // arrange / act
        var owner = PatroniSlotView.WithoutPatroni.OwnerOf(Physical("old_standby"));

        // assert
        Assert.Equal(SlotOwnerKind.None, owner.Kind);
        Assert.Equal(string.Empty, PatroniSlotView.WithoutPatroni.Note());
    }

    [Fact]
    public async Task ReadAsync_ClusterUnreadableConfigReadable_MembersUnknown()
    {
        // arrange
        var patroni = new Diagnostics.FakePatroniClient(Diagnostics.FakePatroniClient.Url(1))
        {
            ConfigJson = """{"slots":{"archive":null}}""",
        };

        // act
        var view = await PatroniSlotView.ReadAsync(patroni, CancellationToken.None);

        // assert
        Assert.True(view.PatroniConfigured);
        Assert.Null(view.Members);
        Assert.NotNull(view.Config?.FindPermanent("archive"));
        Assert.Contains("Patroni's /cluster did not answer", view.Note(), StringComparison.Ordinal);
    }
}
