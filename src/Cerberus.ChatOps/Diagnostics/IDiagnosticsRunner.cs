using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Diagnostics;

/// <summary>Runs the registered diagnostic probes in parallel and classifies what they found.</summary>
internal interface IDiagnosticsRunner
{
    /// <summary>
    /// Runs every registered probe (or only those named in <paramref name="onlyProbes"/>, by <see cref="ProbeNames"/>),
    /// each under its own timeout, and returns within the slowest probe's timeout plus a small grace even when the
    /// database and Patroni hang. Never throws for a probe's failure; cancelled probes are UNKNOWN.
    /// </summary>
    Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken);
}
