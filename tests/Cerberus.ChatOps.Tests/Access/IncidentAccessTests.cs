using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Access;

/// <summary>The incident's intent methods enforce the access model and record every refusal.</summary>
public sealed class IncidentAccessTests
{
    private static readonly DateTimeOffset At = Some.T0.AddMinutes(5);

    [Fact]
    public void LifecycleChanges_ByABystander_AreRefusedRecordedAndChangeNothing()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        var policy = Some.Policy();

        // act
        var resolve = incident.Resolve(Some.Stranger, "my root cause", force: true, policy, At);
        var cancel = incident.Cancel(Some.Stranger, policy, At);
        var ic = incident.ChangeCommander(Some.Stranger, Some.Stranger, policy, At);
        var propose = incident.ProposeAction(Some.Action(proposedBy: Some.Stranger), policy, At);

        // assert
        Assert.All([resolve, cancel, ic, propose], r => Assert.False(r.Succeeded));
        Assert.Contains($"<@{Some.Starter}>", IncidentReplies.Text(resolve), StringComparison.Ordinal);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
        Assert.Equal(Some.Starter, incident.Commander);
        Assert.Null(incident.RootCause);
        Assert.Empty(incident.Actions);
        Assert.Equal(4, incident.Timeline.Count(e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Stranger));
    }

    [Fact]
    public void Close_ByABystander_IsRefused()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.Resolve(Some.Starter, "disk", force: false, Some.Policy(), At).Succeeded);

        // act
        var close = incident.Close(Some.Stranger, Some.Policy(), At.AddMinutes(1));

        // assert
        Assert.False(close.Succeeded);
        Assert.Equal(IncidentState.Resolved, incident.State);
    }

    [Fact]
    public void ProposeAction_ByABystander_NeverSupersedesThePendingCard()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action("A-1", proposedBy: Some.Approver), Some.Policy(), At).Succeeded);

        // act
        var result = incident.ProposeAction(Some.Action("A-2", proposedBy: Some.Stranger), Some.Policy(), At.AddSeconds(5));

        // assert
        Assert.False(result.Succeeded);
        Assert.Equal(ActionStatus.Proposed, incident.FindAction("A-1")!.Status);
        Assert.Null(incident.FindAction("A-2"));
    }

    [Fact]
    public void ProposeAction_CommanderOutsideTheRoster_DoesNotSupersedeAPendingCardButTheRosterDoes()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action("A-1", proposedBy: Some.Approver), Some.Policy(), At).Succeeded);

        // act
        var byCommander = incident.ProposeAction(Some.Action("A-2", proposedBy: Some.Starter), Some.Policy(), At.AddSeconds(5));
        var byRoster = incident.ProposeAction(Some.Action("A-3", proposedBy: Some.Approver), Some.Policy(), At.AddSeconds(9));

        // assert
        Assert.False(byCommander.Succeeded);
        Assert.Contains("Reject it first", IncidentReplies.Text(byCommander), StringComparison.Ordinal);
        Assert.True(byRoster.Succeeded, byRoster.ToString());
        Assert.Equal(ActionStatus.Superseded, incident.FindAction("A-1")!.Status);
        Assert.Equal(ActionStatus.Proposed, incident.FindAction("A-3")!.Status);
    }

    [Fact]
    public void ChangeCommander_ByTheRoster_HandsOverEvenToABystander()
    {
        // arrange
        var incident = Some.DiagnosedIncident();

        // act
        var result = incident.ChangeCommander(Some.Stranger, Some.Approver, Some.Policy(), At);

        // assert
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(Some.Stranger, incident.Commander);
    }

    [Fact]
    public void Approve_WithAnEmptyRoster_IsRefusedAndNamesTheSetting()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action(kind: RemediationKind.Checkpoint), ApprovalPolicy.Default, At).Succeeded);

        // act
        var result = incident.Approve("A-1", Some.Starter, false, ApprovalPolicy.Default, At.AddMinutes(1));

        // assert
        Assert.False(result.Succeeded);
        Assert.Contains(ApprovalPolicy.RosterSetting, IncidentReplies.Text(result), StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Proposed, incident.FindAction("A-1")!.Status);
    }

    [Fact]
    public void Approve_InADrillWithAnEmptyRoster_WorksForAnyone()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0009", "C1", "drill", Some.Stranger, Some.T0, drill: true);
        incident.BeginDiagnosis(Incident.BotActor, Some.T0);
        incident.CompleteDiagnosis(Some.Diagnosis(), Some.T0.AddSeconds(3));
        Assert.True(incident.ProposeAction(Some.Action(proposedBy: Some.Stranger), ApprovalPolicy.Default, At).Succeeded);

        // act
        var result = incident.Approve("A-1", Some.Stranger, riskAccepted: false, ApprovalPolicy.Default, At.AddMinutes(1));

        // assert
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void Approve_RiskyActionByItsProposer_IsRefusedByTheDefaultRule()
    {
        // arrange
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Some.Approver, Some.Starter }, SecondPersonRule.Risky, TimeSpan.FromMinutes(15));
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action(kind: RemediationKind.AuditLogCleanup, proposedBy: Some.Approver), policy, At).Succeeded);

        // act
        var own = incident.Approve("A-1", Some.Approver, false, policy, At.AddMinutes(1));
        var other = incident.Approve("A-1", Some.Starter, false, policy, At.AddMinutes(1));

        // assert
        Assert.False(own.Succeeded);
        Assert.True(other.Succeeded, other.ToString());
    }

    [Fact]
    public void Approve_StandardActionByItsProposer_IsAllowedByTheDefaultRule()
    {
        // arrange
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Some.Approver }, SecondPersonRule.Risky, TimeSpan.FromMinutes(15));
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action(kind: RemediationKind.Checkpoint, proposedBy: Some.Approver), policy, At).Succeeded);

        // act
        var result = incident.Approve("A-1", Some.Approver, false, policy, At.AddMinutes(1));

        // assert
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void ProposeAction_ReproposalAfterDrift_KeepsTheHumanProposerAndTheSecondPersonRule()
    {
        // arrange: A proposes a risky failover, B approves, the state drifts before it starts
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Some.Approver, Some.Starter }, SecondPersonRule.Risky, TimeSpan.FromMinutes(15));
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action("A-1", proposedBy: Some.Starter), policy, At).Succeeded);
        Assert.True(incident.Approve("A-1", Some.Approver, false, policy, At.AddMinutes(1)).Succeeded);
        Assert.True(incident.RefuseForDrift("A-1", "leader=pg2", At.AddMinutes(1)).Succeeded);
        var fresh = Some.Action("A-2", proposedBy: Some.Starter, at: At.AddMinutes(2));
        fresh.ReproposalOf = "A-1";

        // act
        var proposed = incident.ProposeAction(fresh, policy, At.AddMinutes(2));
        var byProposer = incident.Approve("A-2", Some.Starter, false, policy, At.AddMinutes(3));
        var bySecond = incident.Approve("A-2", Some.Approver, false, policy, At.AddMinutes(3));

        // assert
        Assert.True(proposed.Succeeded, proposed.ToString());
        Assert.Equal(Some.Starter, incident.FindAction("A-2")!.ProposedBy);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Proposal && e.Actor == Incident.BotActor && e.ActionId == "A-2");
        Assert.False(byProposer.Succeeded);
        Assert.True(bySecond.Succeeded, bySecond.ToString());
    }

    [Fact]
    public void Approve_SameBystanderClickingOverAndOver_CountsInOneTimelineEntry()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        Assert.True(incident.ProposeAction(Some.Action(proposedBy: Some.Approver), Some.Policy(), At).Succeeded);

        // act
        for (var i = 0; i < 500; i++)
        {
            incident.Approve("A-1", Some.Stranger, false, Some.Policy(), At.AddSeconds(i));
        }

        // assert
        var refusal = Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Refusal);
        Assert.Contains("(×500, last at", refusal.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void CompleteDiagnosis_ManyRuns_KeepsTheFirstAndTheLatest()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        var first = incident.Diagnoses[0];

        // act
        for (var i = 0; i < 100; i++)
        {
            incident.CompleteDiagnosis(Some.Diagnosis(at: At.AddMinutes(i)), At.AddMinutes(i));
        }

        // assert
        Assert.Equal(Incident.MaxDiagnoses, incident.Diagnoses.Count);
        Assert.Same(first, incident.Diagnoses[0]);
        Assert.Equal(At.AddMinutes(99), incident.Diagnoses[^1].FinishedAt);
    }

    [Fact]
    public void Report_RefusedAttempts_ListsWhoWhatWhen()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.Cancel(Some.Stranger, Some.Policy(), At);
        Assert.True(incident.Resolve(Some.Starter, "disk", force: false, Some.Policy(), At.AddMinutes(1)).Succeeded);

        // act
        var report = PostIncidentReportBuilder.Build(incident, null, At.AddMinutes(2));
        var markdown = report.ToMarkdown();

        // assert
        var row = Assert.Single(report.RefusedAttempts);
        Assert.Equal(Some.Stranger, row.Actor);
        Assert.Equal(At, row.At);
        Assert.Contains("cancel the incident", row.Text, StringComparison.Ordinal);
        Assert.Contains("### Refused attempts", markdown, StringComparison.Ordinal);
        Assert.Contains($"@{Some.Stranger}", markdown, StringComparison.Ordinal);
    }
}
