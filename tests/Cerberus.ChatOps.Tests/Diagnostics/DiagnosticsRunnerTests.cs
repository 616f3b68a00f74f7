using System.Diagnostics;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class DiagnosticsRunnerTests
{
    /// <summary>The runner's clock: its timeouts and its guard fire when the test moves it, not after real waits.</summary>
    private readonly FakeTimeProvider _time = new(Support.Some.T0);

    private DiagnosticsRunner CreateSut(params IDiagnosticProbe[] probes) =>
        new(probes, _time, NullLogger<DiagnosticsRunner>.Instance);

    [Fact]
    public async Task RunAsync_ProbeIgnoresCancellation_UnknownWithinTimeoutPlusOneSecond()
    {
        // arrange
        var timeout = TimeSpan.FromMilliseconds(300);
        var sut = CreateSut(FakeProbe.IgnoringCancellation(ProbeNames.Connectivity, timeout), FakeProbe.Answering(Some.ConnectionsAt(10)));

        // act: the runner's clock moves to just short of timeout + 1 s
        var running = sut.RunAsync(null, CancellationToken.None);
        _time.Advance(timeout + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));

        // assert
        Assert.True(await AnsweredAsync(running), $"no report by {timeout + TimeSpan.FromSeconds(1)} on the runner's clock");
        var report = await running;
        var hung = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Unknown, hung.Status);
        Assert.Equal("connectivity did not answer within its 0.3 s timeout", hung.Summary);
        Assert.InRange(hung.Duration, timeout, timeout + TimeSpan.FromSeconds(1));
        Assert.Equal(ProbeStatus.Ok, report.Find(ProbeNames.Connections)!.Status);
    }

    [Fact]
    public async Task RunAsync_ProbeBlocksItsThread_RunnerStillAnswersWithinTimeoutPlusOneSecond()
    {
        // arrange
        var timeout = TimeSpan.FromMilliseconds(300);
        var sut = CreateSut(FakeProbe.BlockingThread(ProbeNames.Disk, timeout, TimeSpan.FromSeconds(4)));

        // act: the runner's clock moves to just short of timeout + 1 s
        var running = sut.RunAsync(null, CancellationToken.None);
        _time.Advance(timeout + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));

        // assert
        Assert.True(await AnsweredAsync(running), $"no report by {timeout + TimeSpan.FromSeconds(1)} on the runner's clock");
        Assert.Equal(ProbeStatus.Unknown, Assert.Single((await running).Results).Status);
    }

    [Fact]
    public async Task RunAsync_ProbeHonoursItsToken_UnknownSaysItTimedOut()
    {
        // arrange
        var probe = new FakeProbe(ProbeNames.Replication, TimeSpan.FromMilliseconds(200), async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Some.ReplicationOk();
        });
        var sut = CreateSut(probe);

        // act
        var running = sut.RunAsync(null, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var report = await running.WaitAsync(FakeClock.RealTimeLimit);

        // assert
        var result = Assert.Single(report.Results);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Equal("replication timed out after 0.2 s", result.Summary);
    }

    [Fact]
    public async Task RunAsync_ProbeThrows_UnknownWithRedactedMessage()
    {
        // arrange
        var probe = new FakeProbe(ProbeNames.Disk, TimeSpan.FromSeconds(1),
            _ => throw new InvalidOperationException("could not open Host=db;Password=hunter2;Username=x"));
        var sut = CreateSut(probe, FakeProbe.Answering(Some.ConnectivityOk()));

        // act
        var report = await sut.RunAsync(null, CancellationToken.None);

        // assert
        var failed = report.Find(ProbeNames.Disk)!;
        Assert.Equal(ProbeStatus.Unknown, failed.Status);
        Assert.StartsWith("disk failed: InvalidOperationException: could not open", failed.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failed.Summary, StringComparison.Ordinal);
        Assert.Equal(2, report.Results.Count);
    }

    [Fact]
    public async Task RunAsync_ProbeReturnsNull_Unknown()
    {
        // arrange
        var sut = CreateSut(new FakeProbe(ProbeNames.App, TimeSpan.FromSeconds(1), _ => Task.FromResult<ProbeResult>(null!)));

        // act
        var report = await sut.RunAsync(null, CancellationToken.None);

        // assert
        Assert.Equal("app returned no result", Assert.Single(report.Results).Summary);
    }

    [Fact]
    public async Task RunAsync_ProbesFinishInAnyOrder_ResultsInTheRunbookOrder()
    {
        // arrange
        var sut = CreateSut(
            FakeProbe.Answering(ProbeResult.Of("zeta-custom", ProbeStatus.Ok, "z", TimeSpan.Zero)),
            FakeProbe.Answering(Some.PatroniHealthy()),
            FakeProbe.Answering(Some.DiskOk(), TimeSpan.FromMilliseconds(50)),
            FakeProbe.Answering(ProbeResult.Of(ProbeNames.App, ProbeStatus.Ok, "200", TimeSpan.Zero), TimeSpan.FromMilliseconds(30)),
            FakeProbe.Answering(Some.ReplicationOk(), TimeSpan.FromMilliseconds(10)),
            FakeProbe.Answering(ProbeResult.Of("alpha-custom", ProbeStatus.Ok, "a", TimeSpan.Zero)),
            FakeProbe.Answering(Some.ConnectionsAt(5)),
            FakeProbe.Answering(Some.ConnectivityOk(), TimeSpan.FromMilliseconds(70)));

        // act
        var report = await sut.RunAsync(null, CancellationToken.None);

        // assert
        Assert.Equal(
            [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk, ProbeNames.Patroni, ProbeNames.App, "alpha-custom", "zeta-custom"],
            report.Results.Select(r => r.Probe));
        Assert.Equal(Classification.Healthy, report.Classification);
        Assert.True(report.FinishedAt >= report.StartedAt);
    }

    [Fact]
    public async Task RunAsync_OnlySomeProbes_RunsOnlyThose()
    {
        // arrange
        var ran = 0;
        var other = new FakeProbe(ProbeNames.Disk, TimeSpan.FromSeconds(1), _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(Some.DiskOk());
        });
        var sut = CreateSut(FakeProbe.Answering(Some.ConnectivityOk()), other);

        // act
        var report = await sut.RunAsync(["CONNECTIVITY"], CancellationToken.None);

        // assert
        Assert.Equal(ProbeNames.Connectivity, Assert.Single(report.Results).Probe);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_ReturnsPromptlyWithCancelledProbes()
    {
        // arrange
        var sut = CreateSut(FakeProbe.IgnoringCancellation(ProbeNames.Patroni, TimeSpan.FromSeconds(30)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        // act
        var report = await sut.RunAsync(null, cts.Token);

        // assert
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Equal("patroni was cancelled before it answered", Assert.Single(report.Results).Summary);
    }

    [Fact]
    public async Task RunAsync_ClassifiesTheResults_ReportCarriesVerdict()
    {
        // arrange
        var sut = CreateSut(FakeProbe.Answering(Some.ConnectivityTimeout()), FakeProbe.Answering(Some.PatroniNoLeader()));

        // act
        var report = await sut.RunAsync(null, CancellationToken.None);

        // assert
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
        Assert.StartsWith("Primary unresponsive:", report.Sentence, StringComparison.Ordinal);
        Assert.Equal(Cerberus.ChatOps.Domain.Actions.RemediationKind.Failover, report.Recommended[0]);
    }

    /// <summary>
    /// Whether the run has answered once the work the clock released has had its (real) moment: a run still waiting
    /// for its clock never answers, however long it is given.
    /// </summary>
    private static async Task<bool> AnsweredAsync(Task<DiagnosisReport> running) =>
        await Task.WhenAny(running, Task.Delay(FakeClock.RealTimeLimit)) == running;
}
