using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Drill;

/// <summary>
/// What a drill incident runs against instead of the real cluster: scripted diagnostics (the outage until the
/// scenario's remedy has succeeded, then healthy) and simulated remediations. Derived from the incident record
/// alone, so a restart in the middle of a drill resumes the same way as a real incident.
/// </summary>
internal sealed class DrillBackend(TimeProvider time)
{
    public static IReadOnlyCollection<RemediationKind> Kinds { get; } = Enum.GetValues<RemediationKind>();

    public IDiagnosticsRunner Diagnostics(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var scenario = Scenario(incident);
        var remediated = incident.Actions.Any(a => a.Kind == scenario.Remedy && a.Status == ActionStatus.Succeeded && !a.DryRun);
        return new DrillDiagnostics(scenario, remediated, time);
    }

    public static IRemediationAction Action(Incident incident, RemediationKind kind)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new DrillAction(kind, Scenario(incident));
    }

    private static DrillScenario Scenario(Incident incident) => DrillScenario.Of(incident.Summary) ?? DrillScenario.PrimaryUnresponsive;
}
