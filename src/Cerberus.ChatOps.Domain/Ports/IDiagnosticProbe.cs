using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// One of the runbook's checks. Runs with its own timeout; never throws into the incident: a hung or unreachable
/// target is <see cref="ProbeStatus.Unknown"/> with a summary saying what timed out.
/// </summary>
public interface IDiagnosticProbe
{
    string Name { get; }

    TimeSpan Timeout { get; }

    Task<ProbeResult> RunAsync(CancellationToken cancellationToken);
}
