using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Domain;

public sealed class IncidentTests
{
    [Fact]
    public void Declare_NewIncident_IsCriticalDeclaredWithStarterAsCommander()
    {
        // act
        var incident = Some.DeclaredIncident();

        // assert
        Assert.Equal(IncidentState.Declared, incident.State);
        Assert.Equal(Severity.Critical, incident.Severity);
        Assert.Equal(Some.Starter, incident.Commander);
        Assert.Equal(Some.T0, incident.DetectedAt);
        Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Declared);
    }

    [Fact]
    public void CompleteDiagnosis_WhileDiagnosing_AwaitsDecisionAndDatesTheSymptom()
    {
        // arrange
        var incident = Some.DeclaredIncident();
        incident.BeginDiagnosis(Incident.BotActor, Some.T0);

        // act
        var result = incident.CompleteDiagnosis(Some.Diagnosis(symptomSince: Some.T0.AddMinutes(-12)), Some.T0.AddSeconds(4));

        // assert
        Assert.True(result.Succeeded);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
        Assert.Equal(Some.T0.AddMinutes(-12), incident.DetectedAt);
        Assert.Equal(Classification.PrimaryUnresponsive, incident.Classification);
    }

    [Fact]
    public void CompleteDiagnosis_AfterResolution_IsRecordedWithoutMovingTheMachine()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.Resolve(Some.Starter, "disk", force: false, Some.Policy(), Some.T0.AddMinutes(5));

        // act
        var result = incident.CompleteDiagnosis(Some.Diagnosis(Classification.Healthy), Some.T0.AddMinutes(6));

        // assert
        Assert.True(result.Succeeded);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.Equal(2, incident.Diagnoses.Count);
    }

    [Fact]
    public void BeginDiagnosis_WhileDiagnosing_IsRefusedPolitely()
    {
        // arrange
        var incident = Some.DeclaredIncident();
        incident.BeginDiagnosis(Incident.BotActor, Some.T0);

        // act
        var result = incident.BeginDiagnosis(Some.Starter, Some.T0.AddSeconds(1));

        // assert
        Assert.False(result.Succeeded);
        Assert.Contains("already running", IncidentReplies.Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_ByApprover_MovesToExecutingAndRecordsWho()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var result = incident.Approve("A-1", Some.Approver, riskAccepted: false, Some.Policy(), Some.T0.AddMinutes(2));

        // assert
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(IncidentState.Executing, incident.State);
        var action = incident.FindAction("A-1")!;
        Assert.Equal(ActionStatus.Approved, action.Status);
        Assert.Equal(Some.Approver, action.DecidedBy);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Approval && e.Actor == Some.Approver);
    }

    [Fact]
    public void Approve_ByTheCommanderOutsideTheRoster_IsRefusedAndRecorded()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(proposedBy: Some.Approver), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var result = incident.Approve("A-1", Some.Starter, false, Some.Policy(), Some.T0.AddMinutes(2));

        // assert
        Assert.False(result.Succeeded);
        Assert.Contains("being the incident commander is not enough", IncidentReplies.Text(result), StringComparison.Ordinal);
        Assert.Equal(ActionStatus.Proposed, incident.FindAction("A-1")!.Status);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Starter);
    }

    [Fact]
    public void Approve_ByStranger_IsRefusedAndRecorded()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var result = incident.Approve("A-1", Some.Stranger, false, Some.Policy(), Some.T0.AddMinutes(2));

        // assert
        Assert.False(result.Succeeded);
        Assert.Equal(IncidentState.AwaitingApproval, incident.State);
        Assert.Equal(ActionStatus.Proposed, incident.FindAction("A-1")!.Status);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Stranger);
    }

    [Fact]
    public void Approve_SecondClick_IsToldWhoAlreadyDecided()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));

        // act
        var second = incident.Approve("A-1", Some.Starter, false, Some.Policy(), Some.T0.AddMinutes(2).AddSeconds(1));

        // assert
        Assert.False(second.Succeeded);
        Assert.Contains($"<@{Some.Approver}>", IncidentReplies.Text(second), StringComparison.Ordinal);
        Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Approval);
    }

    [Fact]
    public void Approve_TwoPersonRule_RefusesTheProposer()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(proposedBy: Some.Approver), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var result = incident.Approve("A-1", Some.Approver, false, Some.Policy(twoPerson: true), Some.T0.AddMinutes(2));

        // assert
        Assert.False(result.Succeeded);
        Assert.Contains("second person", IncidentReplies.Text(result), StringComparison.Ordinal);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Text.Contains("two-person rule", StringComparison.Ordinal));
    }

    [Fact]
    public void Approve_AfterExpiry_ExpiresTheProposalAndReturnsToDecision()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var result = incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(17));

        // assert
        Assert.False(result.Succeeded);
        Assert.Equal(ActionStatus.Expired, incident.FindAction("A-1")!.Status);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
    }

    [Fact]
    public void Approve_RiskyActionWithoutAcceptingTheRisk_IsRefused()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(risk: "pg2 is 29 MB behind: promoting it loses ≥ 29 MB"), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var plain = incident.Approve("A-1", Some.Approver, riskAccepted: false, Some.Policy(), Some.T0.AddMinutes(2));
        var accepted = incident.Approve("A-1", Some.Approver, riskAccepted: true, Some.Policy(), Some.T0.AddMinutes(2));

        // assert
        Assert.False(plain.Succeeded);
        Assert.Contains("29 MB", IncidentReplies.Text(plain), StringComparison.Ordinal);
        Assert.True(accepted.Succeeded, accepted.ToString());
    }

    [Fact]
    public void ProposeAction_WhilePending_SupersedesTheOldCard()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action("A-1"), Some.Policy(), Some.T0.AddMinutes(1));

        // act
        incident.ProposeAction(Some.Action("A-2", RemediationKind.ScaleBackendDown, proposedBy: Some.Approver), Some.Policy(), Some.T0.AddMinutes(2));
        var stale = incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(3));

        // assert
        Assert.Equal(ActionStatus.Superseded, incident.FindAction("A-1")!.Status);
        Assert.False(stale.Succeeded);
        Assert.Contains("stale", IncidentReplies.Text(stale), StringComparison.Ordinal);
    }

    [Fact]
    public void Execution_SuccessAndVerification_Mitigates()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));

        // act
        incident.MarkStarted("A-1", Some.T0.AddMinutes(2));
        incident.RecordExecution("A-1", true, "pg2 promoted", new Dictionary<string, string> { [ActionFigureKeys.NewLeader] = "pg2" }, Some.T0.AddMinutes(3));
        incident.RecordVerification("A-1", true, "leader pg2 on timeline 2", Some.T0.AddMinutes(4));

        // assert
        Assert.Equal(IncidentState.Mitigated, incident.State);
        Assert.Equal(Some.T0.AddMinutes(4), incident.MitigatedAt);
        Assert.Equal("pg2", incident.FindAction("A-1")!.Figures[ActionFigureKeys.NewLeader]);
    }

    [Fact]
    public void MarkStarted_Twice_SecondIsRefused()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));
        incident.MarkStarted("A-1", Some.T0.AddMinutes(2));

        // act
        var again = incident.MarkStarted("A-1", Some.T0.AddMinutes(2));

        // assert
        Assert.False(again.Succeeded);
    }

    [Fact]
    public void RefuseForDrift_ApprovedAction_RunsNothingAndReturnsToDecision()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));

        // act
        var result = incident.RefuseForDrift("A-1", "leader=pg2", Some.T0.AddMinutes(2));

        // assert
        Assert.True(result.Succeeded);
        Assert.Equal(ActionStatus.Refused, incident.FindAction("A-1")!.Status);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
        Assert.False(incident.MarkStarted("A-1", Some.T0.AddMinutes(3)).Succeeded);
    }

    [Fact]
    public void Resolve_WithScaleDownNotUndone_IsRefusedUnlessForced()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action("A-1", RemediationKind.ScaleBackendDown, undoKind: RemediationKind.ScaleBackendUp), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));
        incident.MarkStarted("A-1", Some.T0.AddMinutes(2));
        incident.RecordExecution("A-1", true, "0 replicas", null, Some.T0.AddMinutes(3));
        incident.RecordVerification("A-1", true, "ok", Some.T0.AddMinutes(3));

        // act
        var refused = incident.Resolve(Some.Starter, "disk", force: false, Some.Policy(), Some.T0.AddMinutes(10));
        var forced = incident.Resolve(Some.Starter, "disk", force: true, Some.Policy(), Some.T0.AddMinutes(10));

        // assert
        Assert.False(refused.Succeeded);
        Assert.Contains("not undone", IncidentReplies.Text(refused), StringComparison.Ordinal);
        Assert.True(forced.Succeeded);
        Assert.Equal(IncidentState.Resolved, incident.State);
    }

    [Fact]
    public void RecordExecution_ScaleUpAfterScaleDown_MarksTheDownUndone()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action("A-1", RemediationKind.ScaleBackendDown, undoKind: RemediationKind.ScaleBackendUp), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));
        incident.MarkStarted("A-1", Some.T0.AddMinutes(2));
        incident.RecordExecution("A-1", true, "0 replicas", null, Some.T0.AddMinutes(3));
        incident.RecordVerification("A-1", true, "ok", Some.T0.AddMinutes(3));
        incident.ProposeAction(Some.Action("A-2", RemediationKind.ScaleBackendUp), Some.Policy(), Some.T0.AddMinutes(4));
        incident.Approve("A-2", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(5));
        incident.MarkStarted("A-2", Some.T0.AddMinutes(5));

        // act
        incident.RecordExecution("A-2", true, "4 replicas", null, Some.T0.AddMinutes(6));

        // assert
        Assert.Equal("A-2", incident.FindAction("A-1")!.UndoneBy);
        Assert.Empty(incident.OutstandingUndo);
    }

    [Theory]
    [InlineData(IncidentState.Executing)]
    [InlineData(IncidentState.Verifying)]
    public void ResolveAndCancel_WhileAnActionRuns_AreRefused(IncidentState running)
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));
        incident.MarkStarted("A-1", Some.T0.AddMinutes(2));
        if (running == IncidentState.Verifying)
        {
            incident.RecordExecution("A-1", true, "done", null, Some.T0.AddMinutes(3));
        }

        // act
        var resolve = incident.Resolve(Some.Starter, null, force: true, Some.Policy(), Some.T0.AddMinutes(4));
        var cancel = incident.Cancel(Some.Starter, Some.Policy(), Some.T0.AddMinutes(4));

        // assert
        Assert.Equal(running, incident.State);
        Assert.False(resolve.Succeeded);
        Assert.False(cancel.Succeeded);
    }

    [Fact]
    public void MarkInterrupted_ApprovedButNeverStarted_NothingRunsAndDecisionIsAskedAgain()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));

        // act
        var result = incident.MarkInterrupted("A-1", Some.T0.AddMinutes(3));

        // assert
        Assert.True(result.Succeeded);
        Assert.Equal(ActionStatus.Interrupted, incident.FindAction("A-1")!.Status);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
    }

    [Fact]
    public void Cancel_Terminal_NoTriggerLeavesIt()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.Cancel(Some.Starter, Some.Policy(), Some.T0.AddMinutes(1));

        // act
        var results = new[]
        {
            incident.BeginDiagnosis(Some.Starter, Some.T0.AddMinutes(2)),
            incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(2)),
            incident.Resolve(Some.Starter, null, false, Some.Policy(), Some.T0.AddMinutes(2)),
            incident.Close(Some.Starter, Some.Policy(), Some.T0.AddMinutes(2)),
            incident.ChangeCommander(Some.Approver, Some.Starter, Some.Policy(), Some.T0.AddMinutes(2)),
        };

        // assert
        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.Equal(IncidentState.Cancelled, incident.State);
    }

    [Fact]
    public void RecordReminder_SamePercentTwice_OnlyOnce()
    {
        // arrange
        var incident = Some.DiagnosedIncident();

        // act
        var first = incident.RecordReminder(50, Some.T0.AddHours(2));
        var second = incident.RecordReminder(50, Some.T0.AddHours(2).AddSeconds(5));

        // assert
        Assert.True(first);
        Assert.False(second);
        Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Reminder);
    }

    [Fact]
    public void Snapshot_RoundTrip_KeepsStateLedgerAndTimeline()
    {
        // arrange
        var incident = Some.DiagnosedIncident();
        incident.ProposeAction(Some.Action(), Some.Policy(), Some.T0.AddMinutes(1));
        incident.Approve("A-1", Some.Approver, false, Some.Policy(), Some.T0.AddMinutes(2));
        incident.Version = 7;

        // act
        var restored = Incident.Restore(incident.ToSnapshot());
        var next = restored.MarkStarted("A-1", Some.T0.AddMinutes(3));

        // assert
        Assert.Equal(IncidentState.Executing, restored.State);
        Assert.Equal(7, restored.Version);
        Assert.Equal(incident.Timeline.Count, restored.Timeline.Count - 1);
        Assert.True(next.Succeeded);
    }
}
