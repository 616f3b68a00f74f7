using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Domain;

public sealed class IncidentClockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);
    private static readonly int[] Reminders = [50, 75, 90];

    [Fact]
    public void IsDue_DiagnosedWithNothingExpiredAndNoReminderReached_False()
    {
        // arrange
        var clock = new IncidentClock("INC-1", IncidentState.AwaitingDecision, T0, T0.AddMinutes(15), []);

        // act
        var due = clock.IsDue(T0.AddMinutes(14), Reminders);

        // assert
        Assert.False(due);
    }

    [Fact]
    public void IsDue_ApprovalPastItsExpiry_True()
    {
        // arrange
        var clock = new IncidentClock("INC-1", IncidentState.AwaitingApproval, T0, T0.AddMinutes(15), []);

        // act
        var due = clock.IsDue(T0.AddMinutes(15).AddTicks(1), Reminders);

        // assert
        Assert.True(due);
        Assert.True(clock.ApprovalExpired(T0.AddMinutes(16)));
    }

    [Fact]
    public void DueReminders_TwoThresholdsPassedOneAlreadySent_ReturnsOnlyTheOtherOne()
    {
        // arrange: 3 h 10 min of the 4 h RTO is 79 %
        var clock = new IncidentClock("INC-1", IncidentState.AwaitingDecision, T0, null, [50]);

        // act
        var due = clock.DueReminders(T0.AddHours(3).AddMinutes(10), Reminders);

        // assert
        Assert.Equal([75], due);
        Assert.True(clock.IsDue(T0.AddHours(3).AddMinutes(10), Reminders));
        Assert.False(clock.IsDue(T0.AddHours(1), Reminders));
    }

    [Theory]
    [InlineData(IncidentState.Executing)]
    [InlineData(IncidentState.Verifying)]
    public void IsDue_ExecutionUnderWay_AlwaysTrueSoALapsedOwnerIsNoticed(IncidentState state)
    {
        // arrange
        var clock = new IncidentClock("INC-1", state, T0, null, []);

        // act
        var due = clock.IsDue(T0.AddSeconds(1), Reminders);

        // assert
        Assert.True(due);
    }

    [Fact]
    public void Of_DetectedEarlierThanDeclared_RtoClockStartsAtDetection()
    {
        // arrange
        var incident = Incident.Declare("INC-1", "C1", "primary down", "U1", T0);
        incident.BeginDiagnosis("U1", T0.AddMinutes(1));
        var crit = ProbeResult.Of("connectivity", ProbeStatus.Crit, "refused", TimeSpan.FromSeconds(1)) with { SymptomSince = T0.AddMinutes(-20) };
        incident.CompleteDiagnosis(new DiagnosisReport(T0.AddMinutes(1), T0.AddMinutes(1), [crit], Classification.PrimaryUnresponsive, "down", []), T0.AddMinutes(1));
        incident.RecordReminder(75, T0.AddHours(3));
        incident.RecordReminder(50, T0.AddHours(3));

        // act
        var clock = IncidentClock.Of(incident);

        // assert
        Assert.Equal(T0.AddMinutes(-20), clock.RtoStartedAt);
        Assert.Null(clock.NextApprovalExpiry);
        Assert.Equal([50, 75], clock.RemindersSent);
    }
}
