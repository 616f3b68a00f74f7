using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Tests.Support.Kubernetes;

namespace Cerberus.ChatOps.Tests.Kubernetes;

/// <summary>
/// Free space without exec: kubelet_volume_stats_* from Prometheus and the kubelet Summary API through the API server's
/// node proxy, through the volume probe and the clean-up's meter, against the fake API server and the fake Prometheus.
/// </summary>
public sealed class VolumeStatsSourcesTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private const string Claim = "pgdata-postgres-0";

    [Fact]
    public async Task RunAsync_PrometheusWithAnHourOfGrowth_UsedFreeAndTimeToFullFromTheKubeletSeriesWithoutExec()
    {
        // arrange: 20 GiB volume, 18.5 GiB used, growing 3 GiB/h over the last 30 min
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        var now = DateTimeOffset.UtcNow;
        foreach (var minutes in new[] { 28, 20, 10 })
        {
            prometheus.AddSeries(Labels("kubelet_volume_stats_used_bytes"), (now.AddMinutes(-minutes), (18.5 * GiB) - (minutes / 60.0 * 3 * GiB)));
        }

        prometheus.AddVolume(KubeObjects.Namespace, Claim, capacity: 20 * GiB, used: (long)(18.5 * GiB), available: (long)(1.5 * GiB), at: now.AddSeconds(-40));
        prometheus.AddVolume(KubeObjects.Namespace, "pgdata-postgres-1", capacity: 20 * GiB, used: 1 * GiB, available: 19 * GiB, at: now.AddSeconds(-40));
        var access = FakeCluster.Access(server, o => o.PrometheusUrl = prometheus.Uri.ToString());

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("92.5", result.Facts[FactKeys.DiskUsedPercent]);
        Assert.Equal(((long)(1.5 * GiB)).ToString(CultureInfo.InvariantCulture), result.Facts[FactKeys.DiskFreeBytes]);
        Assert.StartsWith($"kubelet_volume_stats_* of pvc/{Claim} from Prometheus, sampled 4", result.Facts[KubernetesFactKeys.VolumeSource], StringComparison.Ordinal);
        Assert.InRange(double.Parse(result.Facts[KubernetesFactKeys.GrowthBytesPerHour], CultureInfo.InvariantCulture), 2.9 * GiB, 3.1 * GiB);
        Assert.Contains($"pvc/{Claim} 92.5 % used, 1.5 GiB free of 20 GiB", result.Summary, StringComparison.Ordinal);
        Assert.Contains("full in about 30 min", result.Summary, StringComparison.Ordinal);
        Assert.Equal("1.0", result.Facts[KubernetesFactKeys.InodesUsedPercent]);
        Assert.DoesNotContain(server.Requests, r => r.WebSocket);
        var queries = prometheus.Queries.Select(q => q.Query).ToList();
        Assert.Equal(
            [
                $"{{__name__=~\"kubelet_volume_stats_(capacity_bytes|available_bytes|used_bytes|inodes|inodes_free)\",namespace=\"cerberus\",persistentvolumeclaim=\"{Claim}\"}}[5m]",
                $"deriv(kubelet_volume_stats_used_bytes{{namespace=\"cerberus\",persistentvolumeclaim=\"{Claim}\"}}[30m])",
            ],
            queries);
    }

    [Fact]
    public async Task RunAsync_TwoClustersInOnePrometheus_SelectorNarrowsToOursAndTheTokenIsSentNeverShown()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        prometheus.RequiredToken = "prom-token-1234567890";
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        var at = DateTimeOffset.UtcNow.AddSeconds(-10);
        prometheus.AddVolume(KubeObjects.Namespace, Claim, 100 * GiB, 50 * GiB, 50 * GiB, at, new Dictionary<string, string> { ["cluster"] = "prod-eu" });
        prometheus.AddVolume(KubeObjects.Namespace, Claim, 100 * GiB, 99 * GiB, 1 * GiB, at.AddSeconds(5), new Dictionary<string, string> { ["cluster"] = "staging" });
        var access = FakeCluster.Access(server, o =>
        {
            o.PrometheusUrl = prometheus.Uri.ToString();
            o.PrometheusSelector = "cluster=\"prod-eu\"";
            o.PrometheusBearerToken = "prom-token-1234567890";
        });

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("50.0", result.Facts[FactKeys.DiskUsedPercent]);
        Assert.All(prometheus.Queries, q => Assert.Equal("Bearer prom-token-1234567890", q.Authorization));
        Assert.All(prometheus.Queries, q => Assert.Contains(",cluster=\"prod-eu\"}", q.Query, StringComparison.Ordinal));
        Assert.DoesNotContain("prom-token", result.Summary + string.Join(" ", result.Details), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TwoSeriesForOnePvcWithoutASelector_NewestUsedAndTheNoteSaysHowToNarrow()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        var at = DateTimeOffset.UtcNow.AddSeconds(-30);
        prometheus.AddVolume(KubeObjects.Namespace, Claim, 100 * GiB, 50 * GiB, 50 * GiB, at, new Dictionary<string, string> { ["cluster"] = "a" });
        prometheus.AddVolume(KubeObjects.Namespace, Claim, 100 * GiB, 80 * GiB, 20 * GiB, at.AddSeconds(15), new Dictionary<string, string> { ["cluster"] = "b" });
        var access = FakeCluster.Access(server, o => o.PrometheusUrl = prometheus.Uri.ToString());

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal("80.0", result.Facts[FactKeys.DiskUsedPercent]);
        Assert.Contains(result.Details, d => d.StartsWith("2 series of kubelet_volume_stats_available_bytes matched; the newest (", StringComparison.Ordinal)
                                             && d.Contains("cluster=b", StringComparison.Ordinal) && d.EndsWith("Cerberus__Kubernetes__PrometheusSelector", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_PrometheusHasNoSeriesForThePvc_UnknownWithCapacitySayingWhatWasAsked()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        server.AddPvc(KubeObjects.Pvc(Claim, "20Gi"));
        prometheus.AddVolume(KubeObjects.Namespace, "someone-else", 20 * GiB, GiB, 19 * GiB, DateTimeOffset.UtcNow);
        var access = FakeCluster.Access(server, o => o.PrometheusUrl = prometheus.Uri.ToString());

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.False(result.Facts.ContainsKey(FactKeys.DiskUsedPercent));
        Assert.Contains($"free space unknown (kubelet_volume_stats_* of pvc/{Claim} from Prometheus: no sample in the last 5 min for namespace=\"cerberus\", persistentvolumeclaim=\"{Claim}\"", result.Summary, StringComparison.Ordinal);
        Assert.Contains($"pvc/{Claim} of postgres-0 has a capacity of 20Gi", result.Summary, StringComparison.Ordinal);
        Assert.Equal((20 * GiB).ToString(CultureInfo.InvariantCulture), result.Facts[KubernetesFactKeys.VolumeCapacityBytes]);
    }

    [Theory]
    [InlineData(401, "unauthorized", "Unauthorized", "HTTP 401: Unauthorized (Cerberus__Kubernetes__PrometheusBearerToken refused or missing)")]
    [InlineData(422, "execution", "query processing would load too many samples", "HTTP 422: query processing would load too many samples")]
    [InlineData(503, "unavailable", "Service Unavailable", "HTTP 503: Service Unavailable")]
    public async Task RunAsync_PrometheusAnswersAnError_UnknownNamingTheError(int status, string type, string error, string expected)
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        prometheus.Failure = (status, type, error);
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        server.AddPvc(KubeObjects.Pvc(Claim, "20Gi"));
        var access = FakeCluster.Access(server, o => o.PrometheusUrl = prometheus.Uri.ToString());

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains(expected, result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PrometheusUnreachable_UnknownSayingSo()
    {
        // arrange: a port nobody listens on
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        server.AddPvc(KubeObjects.Pvc(Claim, "20Gi"));
        var access = FakeCluster.Access(server, o => o.PrometheusUrl = "http://127.0.0.1:1/");

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("from Prometheus: unreachable: ConnectionError", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_KubeletSummaryThroughTheNodeProxy_ReadsThePodsPvcAmongOthers()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim, node: "node-7"));
        server.SetNodeSummary("node-7", KubeObjects.NodeSummary("node-7", "postgres-0",
            ("kube-api-access", null, 100, 10, 90),
            ("data", Claim, 50 * GiB, 48 * GiB, 2 * GiB)));
        var access = FakeCluster.Access(server, o => o.KubeletVolumeStats = true);

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("96.0", result.Facts[FactKeys.DiskUsedPercent]);
        Assert.Equal((2 * GiB).ToString(CultureInfo.InvariantCulture), result.Facts[FactKeys.DiskFreeBytes]);
        Assert.Equal($"kubelet Summary API on node-7 (pvc/{Claim})", result.Facts[KubernetesFactKeys.VolumeSource]);
        Assert.Contains("(page: ≥ 95 %)", result.Summary, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == "/api/v1/nodes/node-7/proxy/stats/summary");
        Assert.DoesNotContain(server.Requests, r => r.WebSocket);
    }

    [Fact]
    public async Task RunAsync_NodeProxyForbidden_UnknownNamingTheClusterRole()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        server.AddPvc(KubeObjects.Pvc(Claim, "20Gi"));
        server.Map("GET", "/api/v1/nodes/[^/]+/proxy/stats/summary", (_, _) =>
            FakeResponse.Failure(403, "Forbidden", "nodes \"node-1\" is forbidden: User \"system:serviceaccount:cerberus:cerberus-chatops\" cannot get resource \"nodes/proxy\""));
        var access = FakeCluster.Access(server, o => o.KubeletVolumeStats = true);

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("GET nodes/node-1/proxy/stats/summary: forbidden: the bot's Role needs nodes/proxy get (a ClusterRole: see components/kubelet-volume-stats)", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_KubeletHasNotMeasuredTheVolumeYet_UnknownListingWhatItReports()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        server.AddPvc(KubeObjects.Pvc(Claim, "20Gi"));
        server.SetNodeSummary("node-1", KubeObjects.NodeSummary("node-1", "postgres-0", ("kube-api-access", null, 100, 10, 90)));
        var access = FakeCluster.Access(server, o => o.KubeletVolumeStats = true);

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains($"reports no stats for pvc/{Claim} of pod postgres-0 (volumes reported: kube-api-access;", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExecFailsInACrashLoopingContainer_FallsBackToTheKubeletThenSaysWhatFailed()
    {
        // arrange: exec cannot reach a container that is not running
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), crashLoop: true, claim: Claim));
        server.Exec = (_, _, _) => new FakeExecResult(string.Empty, "container not found (\"postgres\")", 1);
        server.SetNodeSummary("node-1", KubeObjects.NodeSummary("node-1", "postgres-0", ("data", Claim, 20 * GiB, 20 * GiB, 0)));
        var access = FakeCluster.Access(server, o =>
        {
            o.ExecDiskProbe = true;
            o.KubeletVolumeStats = true;
        });

        // act
        var result = await VolumeProbeTests.Probe(access).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("100.0", result.Facts[FactKeys.DiskUsedPercent]);
        Assert.Equal("0", result.Facts[FactKeys.DiskFreeBytes]);
        Assert.Contains(result.Details, d => d == "exec df: df exited with 1: container not found (\"postgres\")");
        Assert.Contains(server.Requests, r => r.WebSocket);
    }

    [Fact]
    public async Task MeasureLeaderAsync_OnlyPrometheus_TheCleanUpGetsTheFigureAndItsAge()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        await using var prometheus = await FakePrometheusServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        prometheus.AddVolume(KubeObjects.Namespace, Claim, 100 * GiB, 30 * GiB, 70 * GiB, DateTimeOffset.UtcNow.AddSeconds(-20));
        var meter = FakeCluster.Meter(FakeCluster.Access(server, o => o.PrometheusUrl = prometheus.Uri.ToString()));

        // act
        var free = await meter.MeasureLeaderAsync(CancellationToken.None);

        // assert
        Assert.True(free.Known);
        Assert.Equal(70 * GiB, free.AvailableBytes);
        Assert.Equal(100 * GiB, free.TotalBytes);
        Assert.StartsWith($"kubelet_volume_stats_* of pvc/{Claim} from Prometheus, sampled 2", free.Where, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeasureLeaderAsync_NoSourceConfigured_UnknownNamingAllThree()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Claim));
        var meter = FakeCluster.Meter(FakeCluster.Access(server));

        // act
        var free = await meter.MeasureLeaderAsync(CancellationToken.None);

        // assert
        Assert.False(free.Known);
        Assert.Equal(DataVolumeMeter.NoSourceReason, free.UnknownReason);
        Assert.Equal($"pvc/{Claim} of pod postgres-0", free.Where);
        Assert.Single(server.Requests);
    }

    private static Dictionary<string, string> Labels(string name) => new(StringComparer.Ordinal)
    {
        ["__name__"] = name,
        ["namespace"] = KubeObjects.Namespace,
        ["persistentvolumeclaim"] = Claim,
        ["job"] = "kubelet",
    };
}
