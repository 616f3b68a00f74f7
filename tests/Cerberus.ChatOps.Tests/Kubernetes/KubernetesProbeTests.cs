using System.Diagnostics;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Kubernetes;

public sealed class KubernetesProbeTests
{
    private const string Password = "S3cretPw!x";
    private const string SlackToken = "xoxb-1234567890-abcdefABCDEF";

    [Fact]
    public async Task RunAsync_RestartsCrashLoopAndLogSignatures_CritWithCodesRedactedLinesAndEarliestSymptom()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master"), restarts: 2, lastTerminated: "Error"));
        server.AddPod(KubeObjects.Pod("postgres-replica-0", KubeObjects.PatroniLabels("replica"), restarts: 5, crashLoop: true));
        server.AddDeployment(KubeObjects.Deployment("cerberus-backend", 3, KubeObjects.BackendLabels()));
        foreach (var i in Enumerable.Range(0, 3))
        {
            server.AddPod(KubeObjects.Pod($"cerberus-backend-{i}", KubeObjects.BackendLabels(), ready: i != 2, container: "app"));
        }

        var noise = string.Concat(Enumerable.Range(0, 150).Select(i => $"2026-11-26T08:40:{i % 60:00}.000000000Z LOG:  checkpoint starting: time {i}\n"));
        server.SetLog("postgres-primary-0", "postgres", noise
            + "2026-11-26T08:51:00.000000001Z 2026-11-26 08:51:00 UTC [77] FATAL:  sorry, too many clients already\n"
            + $"2026-11-26T08:52:00.000000000Z 2026-11-26 08:52:00 UTC [78] LOG:  archive command failed with exit code 1 (aws s3 cp --password={Password})\n"
            + $"2026-11-26T08:53:00.000000000Z 2026-11-26 08:53:00 UTC [79] FATAL:  terminating connection due to administrator command (notify {SlackToken})\n"
            + "2026-11-26T08:54:00.000000000Z 2026-11-26 08:54:00 UTC [80] LOG:  database system is ready to accept connections\n");
        server.SetLog("postgres-primary-0", "postgres",
            "2026-11-26T08:45:00.500000000Z 2026-11-26 08:45:00 UTC [12] PANIC:  could not write to file \"pg_wal/xlogtemp.12\": No space left on device\n",
            previous: true);
        server.SetLog("postgres-replica-0", "postgres",
            "2026-11-26T08:55:00.000000000Z 2026-11-26 08:55:00 UTC [5] FATAL:  could not receive data from WAL stream: server closed the connection unexpectedly\n");
        server.AddEvent(KubeObjects.Warning("BackOff", "Back-off restarting failed container postgres", "postgres-replica-0", DateTime.UtcNow.AddMinutes(-3), count: 7));
        server.AddEvent(KubeObjects.Warning("FailedMount", "an old warning", "postgres-replica-0", DateTime.UtcNow.AddHours(-2)));
        var probe = new KubernetesProbe(FakeCluster.Access(server), TimeProvider.System, NullLogger<KubernetesProbe>.Instance);

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeNames.Kubernetes, result.Probe);
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("no_space,write_failed,too_many_clients,panic,archive_failed,wal_stream_lost,fatal", result.Facts[FactKeys.LogErrorSignatures]);
        Assert.Equal("true", result.Facts[KubernetesFactKeys.CrashLoop]);
        Assert.Equal("7", result.Facts[KubernetesFactKeys.PostgresRestarts]);
        Assert.Equal("postgres-primary-0", result.Facts[KubernetesFactKeys.LeaderPod]);
        Assert.Equal("2", result.Facts[KubernetesFactKeys.BackendReady]);
        Assert.Equal("1", result.Facts[KubernetesFactKeys.WarningEvents]);
        Assert.Contains("CrashLoopBackOff", result.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Details, d => d.Contains("pod postgres-replica-0 (replica)", StringComparison.Ordinal) && d.Contains("CrashLoopBackOff", StringComparison.Ordinal));
        Assert.Contains(result.Details, d => d.Contains("(previous)", StringComparison.Ordinal) && d.Contains("No space left on device", StringComparison.Ordinal));
        Assert.Contains(result.Details, d => d.Contains("--password=***", StringComparison.Ordinal));
        Assert.All(result.Details, d => Assert.DoesNotContain(Password, d, StringComparison.Ordinal));
        Assert.All(result.Details, d => Assert.DoesNotContain(SlackToken, d, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Details, d => d.Contains("an old warning", StringComparison.Ordinal));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 45, 0, 500, TimeSpan.Zero), result.SymptomSince);

        var logReads = server.Requests.Where(r => r.Path.EndsWith("/log", StringComparison.Ordinal)).ToList();
        Assert.Contains(logReads, r => r.Path.Contains("postgres-primary-0", StringComparison.Ordinal) && r.QueryValue("previous") == "true");
        Assert.Contains(logReads, r => r.Path.Contains("postgres-replica-0", StringComparison.Ordinal) && r.QueryValue("previous") == "true");
        Assert.All(logReads, r =>
        {
            Assert.Equal("100", r.QueryValue("tailLines"));
            Assert.Equal("true", r.QueryValue("timestamps"));
            Assert.Equal("262144", r.QueryValue("limitBytes"));
            Assert.Equal("postgres", r.QueryValue("container"));
        });
    }

    [Fact]
    public async Task RunAsync_TwoSignaturesInTheLogs_ReachThePostIncidentDocumentAsTwoRows()
    {
        // arrange: the contract between the probe's facts and the report, with the probe's real output
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master")));
        server.SetLog("postgres-primary-0", "postgres",
            "2026-11-26T08:50:00.000000000Z 2026-11-26 08:50:00 UTC [76] FATAL:  sorry, too many clients already\n"
            + "2026-11-26T08:51:00.000000000Z 2026-11-26 08:51:00 UTC [77] LOG:  archive command failed with exit code 1\n");
        var probe = new KubernetesProbe(FakeCluster.Access(server), TimeProvider.System, NullLogger<KubernetesProbe>.Instance);
        var at = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0001", "C1", "connections refused", "U1", at);
        incident.BeginDiagnosis("U1", at);

        // act
        var result = await probe.RunAsync(CancellationToken.None);
        incident.CompleteDiagnosis(new DiagnosisReport(at, at.AddSeconds(2), [result], Classification.Inconclusive, "see the findings", []), at.AddSeconds(2));
        incident.Resolve("U1", "too many clients", force: true, Cerberus.ChatOps.Domain.Access.ApprovalPolicy.Default, at.AddMinutes(4));
        var report = PostIncidentReportBuilder.Build(incident, null, at.AddMinutes(5));

        // assert
        var codes = FactList.Split(result.Facts[FactKeys.LogErrorSignatures]);
        Assert.Equal(2, codes.Count);
        Assert.All(codes, code => Assert.Contains(report.LogErrors, row => row.Signature == code));
        Assert.DoesNotContain(report.LogErrors, row => row.Signature == FactList.Join(codes));
    }

    [Fact]
    public async Task RunAsync_HealthyClusterWithoutClusterLabel_FindsPodsByDeploymentSelectorsAndIsOk()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        var primaryLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = "postgres-primary" };
        server.AddDeployment(KubeObjects.Deployment("postgres-primary", 1, primaryLabels));
        server.AddDeployment(KubeObjects.Deployment("cerberus-backend", 1, KubeObjects.BackendLabels()));
        server.AddPod(KubeObjects.Pod("postgres-primary-abc", primaryLabels));
        server.AddPod(KubeObjects.Pod("cerberus-backend-abc", KubeObjects.BackendLabels(), container: "app"));
        server.SetLog("postgres-primary-abc", "postgres", "2026-11-26T08:54:00.000000000Z LOG:  database system is ready to accept connections\n");
        var probe = new KubernetesProbe(FakeCluster.Access(server), TimeProvider.System, NullLogger<KubernetesProbe>.Instance);

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal(string.Empty, result.Facts[FactKeys.LogErrorSignatures]);
        Assert.Equal("1", result.Facts[KubernetesFactKeys.PostgresReady]);
        Assert.Contains(result.Details, d => d.StartsWith("pod postgres-primary-abc (postgres-primary)", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Requests, r => r.QueryValue("previous") == "true");
        Assert.Null(result.SymptomSince);
    }

    [Fact]
    public async Task RunAsync_KubernetesOff_UnknownWithTheReasonQuickly()
    {
        // arrange
        var probe = new KubernetesProbe(FakeCluster.Off(), TimeProvider.System, NullLogger<KubernetesProbe>.Instance);
        var watch = Stopwatch.StartNew();

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Equal(KubernetesAccess.OffReason, result.Summary);
        Assert.Equal("Kubernetes is off (Cerberus__Kubernetes__Enabled=false)", result.Summary);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_ApiServerForbidsPods_UnknownNamingTheGrant()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddDeployment(KubeObjects.Deployment("cerberus-backend", 3, KubeObjects.BackendLabels()));
        server.Map("GET", "/api/v1/namespaces/cerberus/pods", (_, _) => FakeResponse.Failure(403, "Forbidden", "pods is forbidden: User \"system:serviceaccount:cerberus:bot\" cannot list resource \"pods\""));
        var probe = new KubernetesProbe(FakeCluster.Access(server), TimeProvider.System, NullLogger<KubernetesProbe>.Instance);

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Empty(server.Errors);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("forbidden: the bot's Role needs pods list", result.Summary, StringComparison.Ordinal);
        Assert.False(result.Facts.ContainsKey(FactKeys.LogErrorSignatures));
    }

    [Fact]
    public async Task RunAsync_HungLogApi_UnknownWithinTheTimeoutAndKeepsThePodFindings()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master"), crashLoop: true, restarts: 3));
        server.AddDeployment(KubeObjects.Deployment("cerberus-backend", 1, KubeObjects.BackendLabels()));
        server.AddPod(KubeObjects.Pod("cerberus-backend-0", KubeObjects.BackendLabels(), container: "app"));
        server.Delay = r => r.Path.EndsWith("/log", StringComparison.Ordinal) ? TimeSpan.FromSeconds(30) : TimeSpan.Zero;
        var access = FakeCluster.Access(server, o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
        });
        var probe = new KubernetesProbe(access, TimeProvider.System, NullLogger<KubernetesProbe>.Instance);
        var watch = Stopwatch.StartNew();

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("true", result.Facts[KubernetesFactKeys.CrashLoop]);
        Assert.False(result.Facts.ContainsKey(FactKeys.LogErrorSignatures));
        Assert.Contains("log of postgres-primary-0/postgres: no answer", result.Summary, StringComparison.Ordinal);
    }
}
