using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Drill;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>What an incident runs against: the simulated backend for drills, the real diagnostics and actions otherwise.</summary>
internal sealed class IncidentBackends(
    IDiagnosticsRunner diagnostics,
    IEnumerable<IRemediationAction> actions,
    TimeProvider time,
    DrillBackend? drill = null)
{
    private readonly Dictionary<RemediationKind, IRemediationAction> _actions = actions.GroupBy(a => a.Kind).ToDictionary(g => g.Key, g => g.First());

    private readonly DrillBackend _drill = drill ?? new DrillBackend(time);

    /// <summary>The real actions configured here (drills offer every kind).</summary>
    public IReadOnlyCollection<RemediationKind> AvailableActions => _actions.Keys;

    /// <summary>Drill incidents run against the simulated backend; every other incident against the real one.</summary>
    public IDiagnosticsRunner DiagnosticsFor(Incident? incident) => incident is { Drill: true } ? _drill.Diagnostics(incident) : diagnostics;

    public IRemediationAction? ActionFor(Incident incident, RemediationKind kind) =>
        incident.Drill ? DrillBackend.Action(incident, kind) : _actions.GetValueOrDefault(kind);
}
