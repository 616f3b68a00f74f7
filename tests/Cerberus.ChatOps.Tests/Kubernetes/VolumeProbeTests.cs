using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Kubernetes;

public sealed class VolumeProbeTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Fact]
    public async Task RunAsync_ExecDfTwoSamplesHalfAnHourApart_ParsesDfAndTimeToFullUnderTheRtoIsCrit()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master"), claim: "data-postgres-primary-0"));
        server.AddPod(KubeObjects.Pod("postgres-replica-0", KubeObjects.PatroniLabels("replica"), claim: "data-postgres-replica-0"));
        var used = 85 * GiB;
        server.Exec = (pod, container, command) => command switch
        {
            ["df", "-P", "-B1", "/var/lib/postgresql"] when pod == "postgres-primary-0" && container == "postgres" => new FakeExecResult(
                "Filesystem        1-blocks        Used   Available Capacity Mounted on\n"
                + $"/dev/sdb       {100 * GiB} {used} {100 * GiB - used} {used * 100 / (100 * GiB)}% /var/lib/postgresql\n"),
            ["df", "-P", "-i", "/var/lib/postgresql"] => new FakeExecResult(
                "Filesystem      Inodes  IUsed   IFree IUse% Mounted on\n/dev/sdb       6553600  65536 6488064    1% /var/lib/postgresql\n"),
            _ => new FakeExecResult(string.Empty, "unexpected command", 2),
        };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
        var access = FakeCluster.Access(server, o => o.ExecDiskProbe = true);
        var probe = new VolumeProbe(access, FakeCluster.Meter(access, time), new VolumeSampleStore(), time, NullLogger<VolumeProbe>.Instance);

        // act
        var first = await probe.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        used = 88 * GiB;
        var second = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeNames.Volume, first.Probe);
        Assert.Equal(ProbeStatus.Warn, first.Status);
        Assert.Equal("85.0", first.Facts[FactKeys.DiskUsedPercent]);
        Assert.Equal((15 * GiB).ToString(CultureInfo.InvariantCulture), first.Facts[FactKeys.DiskFreeBytes]);
        Assert.False(first.Facts.ContainsKey(KubernetesFactKeys.HoursToFull));
        Assert.Equal("1.0", first.Facts[KubernetesFactKeys.InodesUsedPercent]);

        Assert.Equal(ProbeStatus.Crit, second.Status);
        Assert.Equal("88.0", second.Facts[FactKeys.DiskUsedPercent]);
        Assert.Equal((12 * GiB).ToString(CultureInfo.InvariantCulture), second.Facts[FactKeys.DiskFreeBytes]);
        Assert.Equal((6 * GiB).ToString(CultureInfo.InvariantCulture), second.Facts[KubernetesFactKeys.GrowthBytesPerHour]);
        Assert.Equal("2.0", second.Facts[KubernetesFactKeys.HoursToFull]);
        Assert.Contains("over the last 30 min: full in about 2 h", second.Summary, StringComparison.Ordinal);
        Assert.Contains("pvc/data-postgres-primary-0", second.Summary, StringComparison.Ordinal);

        var execs = server.Requests.Where(r => r.WebSocket).ToList();
        Assert.Equal(4, execs.Count);
        Assert.All(execs, r => Assert.Equal("/api/v1/namespaces/cerberus/pods/postgres-primary-0/exec", r.Path));
        Assert.Contains(execs, r => r.Body == "df -P -B1 /var/lib/postgresql");
        Assert.Contains(execs, r => r.Body == "df -P -i /var/lib/postgresql");
    }

    [Fact]
    public async Task RunAsync_UsageAt96Percent_CritAndSaysPage()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master")));
        server.Exec = (_, _, command) => command[2] == "-B1"
            ? new FakeExecResult($"Filesystem 1-blocks Used Available Capacity Mounted on\noverlay {100 * GiB} {96 * GiB} {4 * GiB} 96% /var/lib/postgresql\n")
            : new FakeExecResult(string.Empty, "df: unrecognized option: i", 1);
        var probe = Probe(FakeCluster.Access(server, o => o.ExecDiskProbe = true));

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Contains("page", result.Summary, StringComparison.Ordinal);
        Assert.Equal("96.0", result.Facts[FactKeys.DiskUsedPercent]);
    }

    [Fact]
    public async Task RunAsync_DfExitsNonZero_UnknownWithStderr()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master")));
        server.Exec = (_, _, _) => new FakeExecResult(string.Empty, "df: /var/lib/postgresql: No such file or directory", 1);
        var probe = Probe(FakeCluster.Access(server, o => o.ExecDiskProbe = true));

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("exited with 1", result.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Details, d => d.Contains("No such file or directory", StringComparison.Ordinal));
        Assert.False(result.Facts.ContainsKey(FactKeys.DiskUsedPercent));
    }

    [Fact]
    public async Task RunAsync_ExecOff_UnknownWithPvcCapacityAndHowToEnableAndNoExec()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master"), claim: "data-postgres-primary-0", mountPath: "/var/lib/postgresql"));
        server.AddPvc(KubeObjects.Pvc("data-postgres-primary-0", "10Gi"));
        var probe = Probe(FakeCluster.Access(server));

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("free space unknown without exec", result.Summary, StringComparison.Ordinal);
        Assert.Contains("10Gi", result.Summary, StringComparison.Ordinal);
        Assert.Contains("Cerberus__Kubernetes__ExecDiskProbe=true", result.Summary, StringComparison.Ordinal);
        Assert.Equal((10 * GiB).ToString(CultureInfo.InvariantCulture), result.Facts[KubernetesFactKeys.VolumeCapacityBytes]);
        Assert.DoesNotContain(server.Requests, r => r.WebSocket);
    }

    internal static VolumeProbe Probe(Cerberus.ChatOps.Kubernetes.KubernetesAccess access, TimeProvider? time = null) =>
        new(access, FakeCluster.Meter(access, time), new VolumeSampleStore(), time ?? TimeProvider.System, NullLogger<VolumeProbe>.Instance);

    [Theory]
    [InlineData("Filesystem     1-blocks       Used  Available Capacity Mounted on\n/dev/sdb 10434662400 9876543210 558119190 95% /var/lib/postgresql\n", 10434662400L, 9876543210L, 558119190L)]
    [InlineData("Filesystem           1-blocks      Used Available Use% Mounted on\r\n/dev/mapper/vg-data 1000 250 750 25% /data dir\r\n", 1000L, 250L, 750L)]
    public void Parse_DfPosixOutput_ReadsTotalUsedAvailable(string output, long total, long used, long available)
    {
        // arrange / act
        var usage = DfParser.Parse(output);

        // assert
        Assert.NotNull(usage);
        Assert.Equal(total, usage.Total);
        Assert.Equal(used, usage.Used);
        Assert.Equal(available, usage.Available);
    }

    [Theory]
    [InlineData("")]
    [InlineData("df: /var/lib/postgresql: No such file or directory\n")]
    [InlineData("Filesystem 1-blocks Used Available Capacity Mounted on\n")]
    public void Parse_NoFilesystemLine_Null(string output)
    {
        // arrange / act
        var usage = DfParser.Parse(output);

        // assert
        Assert.Null(usage);
    }
}
