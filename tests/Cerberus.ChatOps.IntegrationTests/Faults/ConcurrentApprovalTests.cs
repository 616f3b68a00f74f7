using System.Net;
using Cerberus.ChatOps.IntegrationTests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>Five identical approval clicks at once against the real host: one switchover, four "already approved".</summary>
[Collection(LabCollection.Name)]
public sealed class ConcurrentApprovalTests(LabFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Approve_FiveClicksAtOnceAfterAStrangersClick_RunsTheSwitchoverOnceAndAnswersTheRest()
    {
        // arrange
        var patroni = fixture.Patroni;
        var (_, timelineBefore) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab);
        var id = await faults.StartIncidentAsync("five clicks");
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");
        await faults.ProposeSwitchoverAsync(id);
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, FaultHost.Stranger, cardTs)));
        await faults.WaitForResponsesAsync("Only a member of the approver roster", 1, Step);

        // act
        var clicks = Enumerable.Range(0, 5).Select(_ => faults.Click("cerberus.approve", value, FaultHost.Approver, cardTs)).ToList();
        var statuses = await Task.WhenAll(clicks.Select(faults.SendAsync));
        await faults.WaitForStateAsync(id, Step, "Mitigated", "AwaitingDecision");
        await faults.WaitForResponsesAsync("Already approved", 4, Step);
        await faults.WaitAllSentAsync(Step);
        var (_, timelineAfter) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));

        // assert
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal("Mitigated", await faults.StateAsync(id));
        Assert.Equal(timelineBefore + 1, timelineAfter);
        Assert.Equal(4, faults.Responses("Already approved"));
        Assert.Equal(1, faults.Responses("Only a member of the approver roster"));
        Assert.Single(faults.Slack.Messages, m => FaultHost.BlocksText(m).Contains(":gear: Running", StringComparison.Ordinal));
        Assert.Empty(faults.DuplicatedOutboxIds());
    }
}
