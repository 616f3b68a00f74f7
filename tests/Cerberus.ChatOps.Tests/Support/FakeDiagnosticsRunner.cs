using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>Answers every diagnostics run with the report the test sets; counts the runs.</summary>
internal sealed class FakeDiagnosticsRunner(TimeProvider time) : IDiagnosticsRunner
{
    private int _runs;

    public Classification Classification { get; set; } = Classification.PrimaryUnresponsive;

    public int Runs => _runs;

    public List<IReadOnlyCollection<string>?> Requests { get; } = [];

    public Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        lock (Requests)
        {
            Requests.Add(onlyProbes);
        }

        var now = time.GetUtcNow();
        var status = Classification == Classification.Healthy ? ProbeStatus.Ok : ProbeStatus.Crit;
        var results = new List<ProbeResult>
        {
            ProbeResult.Of(ProbeNames.Connectivity, status, Classification == Classification.Healthy ? "accepting connections" : "connect timed out after 5 s", TimeSpan.FromMilliseconds(40)),
            ProbeResult.Of(ProbeNames.Patroni, status, Classification == Classification.Healthy ? "leader pg1, 1 replica streaming" : "no leader", TimeSpan.FromMilliseconds(30)),
        };
        var recommended = Classification == Classification.PrimaryUnresponsive
            ? new[] { RemediationKind.Failover }
            : Array.Empty<RemediationKind>();
        return Task.FromResult(new DiagnosisReport(now, now, results, Classification, $"Findings point to {Classification}.", recommended));
    }
}
