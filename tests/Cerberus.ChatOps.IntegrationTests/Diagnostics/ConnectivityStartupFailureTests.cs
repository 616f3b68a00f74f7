using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>The connectivity probe through Npgsql against a server that fails the startup as PostgreSQL does (no lab needed).</summary>
public sealed class ConnectivityStartupFailureTests
{
    private static readonly string[] SqlProbes = [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk];

    [Fact]
    public async Task RunAsync_ServerStartingUp57P03_StartingCritAndPrimaryUnresponsive()
    {
        // arrange: what a crash-restart loop after a PANIC answers between restarts
        await using var server = new FakeStartupServer("57P03", "the database system is in recovery mode");
        await using var provider = DiagnosticsHost.Build(server.ConnectionString, null);

        // act
        var report = await provider.Runner().RunAsync([ProbeNames.Connectivity], CancellationToken.None);

        // assert
        var connectivity = Assert.Single(report.Results);
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal("starting", connectivity.Facts[FactKeys.Connectivity]);
        Assert.Equal("57P03", connectivity.Facts[DiagnosisFactKeys.SqlState]);
        Assert.Contains("the database system is in recovery mode", connectivity.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
        Assert.Contains($"127.0.0.1:{server.Port} is down or starting (SQLSTATE 57P03", report.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("not-used-secret", report.Sentence + connectivity.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ResetDuringStartup_StartingCrit()
    {
        // arrange
        await using var server = new FakeStartupServer(null, string.Empty);
        await using var provider = DiagnosticsHost.Build(server.ConnectionString, null);

        // act
        var report = await provider.Runner().RunAsync([ProbeNames.Connectivity], CancellationToken.None);

        // assert
        var connectivity = Assert.Single(report.Results);
        Assert.Equal("starting", connectivity.Facts[FactKeys.Connectivity]);
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
    }

    [Fact]
    public async Task RunAsync_BotsRoleAtItsConnectionLimit_RoleLimitNotConnectionExhaustion()
    {
        // arrange
        await using var server = new FakeStartupServer("53300", "too many connections for role \"cerberus_monitor\"");
        await using var provider = DiagnosticsHost.Build(server.ConnectionString, null);

        // act
        var report = await provider.Runner().RunAsync(SqlProbes, CancellationToken.None);

        // assert
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Warn, connectivity.Status);
        Assert.Equal("role_limit", connectivity.Facts[FactKeys.Connectivity]);
        Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.RoleLimit]);
        Assert.NotEqual(Classification.ConnectionExhaustion, report.Classification);
        Assert.Equal(Classification.Inconclusive, report.Classification);
        Assert.Contains("not server-wide exhaustion", report.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain(RemediationKind.ScaleBackendDown, report.Recommended);
    }
}
