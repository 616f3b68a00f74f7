using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Drill;

/// <summary>Scripted probe results for a drill: the outage until its remedy has succeeded, healthy after.</summary>
internal sealed class DrillDiagnostics(DrillScenario scenario, bool remediated, TimeProvider time) : IDiagnosticsRunner
{
    public Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var script = remediated ? scenario.After : scenario.During;
        var results = script
            .Where(p => onlyProbes is null || onlyProbes.Contains(p.Probe))
            .Select(p => ProbeResult.Of(p.Probe, p.Status, "[simulated] " + p.Summary, TimeSpan.FromMilliseconds(25)))
            .ToList();
        var report = remediated
            ? new DiagnosisReport(now, now, results, Classification.Healthy, $"Drill {scenario.Name}: the simulated cluster is healthy again.", [])
            : new DiagnosisReport(now, now, results, scenario.Classification, $"Drill {scenario.Name}: the simulated cluster shows {scenario.Title} (scripted probe results, no real cluster touched).", scenario.Recommended);
        return Task.FromResult(report);
    }
}
