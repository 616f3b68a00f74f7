using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Access;

public sealed class ApprovalPolicyTests
{
    private const string Commander = "U0IC";

    [Theory]
    [InlineData(IncidentOperation.Declare, true)]
    [InlineData(IncidentOperation.Diagnose, true)]
    [InlineData(IncidentOperation.Note, true)]
    [InlineData(IncidentOperation.ChangeCommander, false)]
    [InlineData(IncidentOperation.Propose, false)]
    [InlineData(IncidentOperation.Resolve, false)]
    [InlineData(IncidentOperation.Cancel, false)]
    [InlineData(IncidentOperation.Close, false)]
    [InlineData(IncidentOperation.Approve, false)]
    [InlineData(IncidentOperation.ReadOtherChannels, false)]
    public void May_Bystander_OnlyWhatAnyoneMay(IncidentOperation operation, bool expected)
    {
        // arrange
        var policy = Some.Policy();

        // act
        var may = policy.May(operation, Some.Stranger, Commander, drill: false);

        // assert
        Assert.Equal(expected, may);
    }

    [Fact]
    public void May_CommanderOutsideTheRoster_ChangesTheIncidentButDoesNotApprove()
    {
        // arrange
        var policy = Some.Policy();

        // act
        var propose = policy.May(IncidentOperation.Propose, Commander, Commander, drill: false);
        var resolve = policy.May(IncidentOperation.Resolve, Commander, Commander, drill: false);
        var approve = policy.May(IncidentOperation.Approve, Commander, Commander, drill: false);

        // assert
        Assert.True(propose);
        Assert.True(resolve);
        Assert.False(approve);
    }

    [Fact]
    public void May_InADrill_AnyoneMayDoAnything()
    {
        // arrange
        var policy = ApprovalPolicy.Default;

        // act
        var all = Enum.GetValues<IncidentOperation>().All(op => policy.May(op, Some.Stranger, Commander, drill: true));

        // assert
        Assert.True(all);
    }

    [Fact]
    public void May_TheBot_NeverApproves()
    {
        // arrange
        var policy = Some.Policy(false, Incident.BotActor);

        // act
        var approve = policy.May(IncidentOperation.Approve, Incident.BotActor, Commander, drill: false);
        var propose = policy.May(IncidentOperation.Propose, Incident.BotActor, Commander, drill: false);

        // assert
        Assert.False(approve);
        Assert.True(propose);
    }

    [Theory]
    [InlineData(RemediationKind.Failover, null, true)]
    [InlineData(RemediationKind.Switchover, null, false)]
    [InlineData(RemediationKind.Switchover, "pg2 is 30 MiB behind", true)]
    [InlineData(RemediationKind.AuditLogCleanup, null, true)]
    [InlineData(RemediationKind.DropReplicationSlot, null, true)]
    [InlineData(RemediationKind.ScaleBackendDown, null, true)]
    [InlineData(RemediationKind.ScaleBackendUp, null, false)]
    [InlineData(RemediationKind.Checkpoint, null, false)]
    [InlineData(RemediationKind.TerminateSessions, null, true)]
    [InlineData(RemediationKind.RestartBackend, null, false)]
    [InlineData(RemediationKind.RestartBackend, "strategy Recreate: a full outage", true)]
    [InlineData(RemediationKind.Analyze, null, false)]
    [InlineData(RemediationKind.ReinitializeReplica, null, true)]
    [InlineData(RemediationKind.FenceOldLeader, null, true)]
    [InlineData(RemediationKind.ExpandVolume, null, false)]
    public void NeedsSecondPerson_RiskyRule_FollowsTheRiskTier(RemediationKind kind, string? risk, bool expected)
    {
        // arrange
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Some.Approver }, SecondPersonRule.Risky, TimeSpan.FromMinutes(15));

        // act
        var needs = policy.NeedsSecondPerson(Some.Action(kind: kind, risk: risk), drill: false);

        // assert
        Assert.Equal(expected, needs);
        Assert.Equal(expected, ActionRisk.Assess(Some.Action(kind: kind, risk: risk)).IsRisky);
    }

    [Theory]
    [InlineData(SecondPersonRule.All, RemediationKind.Checkpoint, true)]
    [InlineData(SecondPersonRule.None, RemediationKind.Failover, false)]
    public void NeedsSecondPerson_AllOrNone_IgnoresTheTier(SecondPersonRule rule, RemediationKind kind, bool expected)
    {
        // arrange
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Some.Approver }, rule, TimeSpan.FromMinutes(15));

        // act
        var needs = policy.NeedsSecondPerson(Some.Action(kind: kind), drill: false);

        // assert
        Assert.Equal(expected, needs);
    }
}
