using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Incidents;

public sealed class ActionVerificationTests
{
    [Fact]
    public void BeforeAfter_ProbeRanBefore_StatusBeforeArrowNowAndTheSummary()
    {
        // arrange
        var before = Report(ProbeResult.Of(ProbeNames.Connectivity, ProbeStatus.Unknown, "connect timed out after 5 s", TimeSpan.FromSeconds(5)));
        var after = Report(ProbeResult.Of(ProbeNames.Connectivity, ProbeStatus.Ok, "connected in 12 ms", TimeSpan.FromMilliseconds(12)));

        // act
        var text = ActionVerification.BeforeAfter(before, after);

        // assert
        Assert.Equal("• connectivity: UNKNOWN → OK — connected in 12 ms", text);
    }

    [Fact]
    public void BeforeAfter_ProbeNewOrNoDiagnosisBefore_OnlyTheStatusNow()
    {
        // arrange
        var before = Report(ProbeResult.Of(ProbeNames.Connectivity, ProbeStatus.Crit, "refused", TimeSpan.Zero));
        var after = Report(
            ProbeResult.Of(ProbeNames.Connectivity, ProbeStatus.Ok, "connected", TimeSpan.Zero),
            ProbeResult.Of(ProbeNames.Patroni, ProbeStatus.Warn, "one member lagging", TimeSpan.Zero));

        // act
        var withBefore = ActionVerification.BeforeAfter(before, after);
        var withoutBefore = ActionVerification.BeforeAfter(null, after);

        // assert
        Assert.Equal("• connectivity: CRIT → OK — connected\n• patroni: WARN — one member lagging", withBefore);
        Assert.Equal("• connectivity: OK — connected\n• patroni: WARN — one member lagging", withoutBefore);
    }

    [Theory]
    [InlineData(RemediationKind.Failover, ProbeNames.Patroni)]
    [InlineData(RemediationKind.Switchover, ProbeNames.Patroni)]
    [InlineData(RemediationKind.ScaleBackendDown, ProbeNames.Connections)]
    [InlineData(RemediationKind.ScaleBackendUp, ProbeNames.Kubernetes)]
    [InlineData(RemediationKind.AuditLogCleanup, ProbeNames.Disk)]
    [InlineData(RemediationKind.DropReplicationSlot, ProbeNames.Replication)]
    [InlineData(RemediationKind.ExpandVolume, ProbeNames.Volume)]
    [InlineData(RemediationKind.ExpandVolume, ProbeNames.Connectivity)]
    public void VerificationProbes_EveryKind_TheProbeThatShowsItsEffectAndTheApp(RemediationKind kind, string probe)
    {
        // act
        var probes = ActionVerification.VerificationProbes(kind);

        // assert
        Assert.Contains(probe, probes);
        Assert.Contains(ProbeNames.App, probes);
    }

    private static DiagnosisReport Report(params ProbeResult[] results) =>
        new(Some.T0, Some.T0.AddSeconds(3), results, Classification.PrimaryUnresponsive, "Primary unresponsive.", []);
}
