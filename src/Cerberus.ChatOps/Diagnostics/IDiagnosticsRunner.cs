using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Diagnostics;

/// <summary>Runs the probes in parallel, each under its own timeout, and classifies the findings.</summary>
public interface IDiagnosticsRunner
{
    /// <summary>Runs every probe, or only <paramref name="onlyProbes"/> (names from <see cref="ProbeNames"/>); never throws for a probe's failure.</summary>
    Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken);
}
