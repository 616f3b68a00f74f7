using Cerberus.ChatOps.IntegrationTests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>Writes belong on the primary: pointed at a Patroni replica, every write action refuses to propose.</summary>
[Collection(LabCollection.Name)]
public sealed class StandbyRefusalTests(LabFixture fixture)
{
    [Fact]
    public async Task Propose_ConnectionPointsAtStandby_EveryWriteActionNotApplicable()
    {
        // arrange
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(120)));
        var replicaIndex = lab.PatroniNames.ToList().FindIndex(n => n != leader);
        var harness = new ActionHarness(lab);
        harness.ActionsOptions.PostgresConnectionString = lab.PatroniPostgres[replicaIndex];

        // act
        var cleanup = await harness.Cleanup().ProposeAsync(ActionHarness.Request(), CancellationToken.None);
        var slot = await harness.DropSlot().ProposeAsync(ActionHarness.Request(), CancellationToken.None);
        var checkpoint = await harness.Checkpoint().ProposeAsync(ActionHarness.Request(), CancellationToken.None);

        // assert
        Assert.Null(cleanup.Action);
        Assert.Contains("is a standby", cleanup.NotApplicableReason, StringComparison.Ordinal);
        Assert.Null(slot.Action);
        Assert.Contains("is a standby", slot.NotApplicableReason, StringComparison.Ordinal);
        Assert.Null(checkpoint.Action);
        Assert.Contains("is a standby", checkpoint.NotApplicableReason, StringComparison.Ordinal);
    }
}
