using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// The engine lives as long as the process; the probes hold typed HttpClients and are transient. Each run gets a
/// fresh runner (and fresh probes) from a scope, so handlers rotate as IHttpClientFactory intends.
/// </summary>
internal sealed class PerRunDiagnostics(IServiceScopeFactory scopes) : IDiagnosticsRunner
{
    public async Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IDiagnosticsRunner>().RunAsync(onlyProbes, cancellationToken);
    }
}
