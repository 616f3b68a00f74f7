using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

public sealed class OperationsGaugesTests
{
    [Fact]
    public void RtoShareUsed_TwoOpenIncidents_IsTheLargerShare()
    {
        // arrange: one detected 3 h ago (75 %), one 30 min ago
        var now = Some.T0.AddHours(3);
        IncidentClock[] open =
        [
            new("INC-1", IncidentState.Executing, Some.T0, null, []),
            new("INC-2", IncidentState.Diagnosing, now.AddMinutes(-30), null, []),
        ];

        // act
        var share = CerberusMetrics.RtoShareUsed(open, now);

        // assert
        Assert.Equal(0.75, share, precision: 6);
    }

    [Fact]
    public void RtoShareUsed_NoneOpenOrDetectedInTheFuture_IsZero()
    {
        // arrange
        IncidentClock[] future = [new("INC-1", IncidentState.Declared, Some.T0.AddMinutes(5), null, [])];

        // act / assert
        Assert.Equal(0, CerberusMetrics.RtoShareUsed([], Some.T0));
        Assert.Equal(0, CerberusMetrics.RtoShareUsed(future, Some.T0));
    }

    [Fact]
    public void OldestAge_WaitingAndEmpty_IsHowLongTheOldestWaited()
    {
        // arrange
        var waiting = new QueueBacklog(3, Some.T0);

        // act / assert
        Assert.Equal(TimeSpan.FromSeconds(90), waiting.OldestAge(Some.T0.AddSeconds(90)));
        Assert.Equal(TimeSpan.Zero, QueueBacklog.Empty.OldestAge(Some.T0));
    }
}
