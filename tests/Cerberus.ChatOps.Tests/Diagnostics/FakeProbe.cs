using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>A probe whose behaviour the test decides: answer, hang, block, throw.</summary>
internal sealed class FakeProbe(string name, TimeSpan timeout, Func<CancellationToken, Task<ProbeResult>> run) : IDiagnosticProbe
{
    public string Name => name;

    public TimeSpan Timeout => timeout;

    public Task<ProbeResult> RunAsync(CancellationToken cancellationToken) => run(cancellationToken);

    public static FakeProbe Answering(ProbeResult result, TimeSpan? delay = null) =>
        new(result.Probe, TimeSpan.FromSeconds(2), async ct =>
        {
            if (delay is { } d)
            {
                await Task.Delay(d, ct);
            }

            return result;
        });

    /// <summary>Never completes and never looks at its token.</summary>
    public static FakeProbe IgnoringCancellation(string name, TimeSpan timeout) =>
        new(name, timeout, _ => new TaskCompletionSource<ProbeResult>().Task);

    /// <summary>Blocks its calling thread before returning anything.</summary>
    public static FakeProbe BlockingThread(string name, TimeSpan timeout, TimeSpan block) =>
        new(name, timeout, _ =>
        {
            Thread.Sleep(block);
            return Task.FromResult(ProbeResult.Of(name, ProbeStatus.Ok, "late", block));
        });
}
