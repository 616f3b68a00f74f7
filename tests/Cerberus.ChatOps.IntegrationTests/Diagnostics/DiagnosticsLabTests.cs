using System.Diagnostics;
using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>The diagnostics against the real lab: a standalone PostgreSQL 15 and a two-node Patroni 3.0 cluster.</summary>
[Collection(LabCollection.Name)]
public sealed class DiagnosticsLabTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] SqlProbes = [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk];

    [Fact]
    public async Task RunAsync_HealthyStandaloneAsMonitor_AllSqlProbesOkAndHealthy()
    {
        // arrange
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);

        // act
        var report = await provider.Runner().RunAsync(null, CancellationToken.None);

        // assert
        Dump(report);
        foreach (var probe in SqlProbes)
        {
            Assert.Equal(ProbeStatus.Ok, report.Find(probe)!.Status);
        }

        Assert.Equal("ok", report.Find(ProbeNames.Connectivity)!.Facts[FactKeys.Connectivity]);
        Assert.Equal("false", report.Find(ProbeNames.Replication)!.Facts[FactKeys.ArchiverFailing]);
        Assert.Contains("not configured", report.Find(ProbeNames.Patroni)!.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.Healthy, report.Classification);
        Assert.Empty(report.Recommended);
        Assert.DoesNotContain(MonitorPassword(), report.Sentence + string.Join(' ', report.Results.SelectMany(r => r.Details)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HealthyCluster_AllProbesOkAndLeaderReported()
    {
        // arrange
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, timeline) = PatroniLab.LeaderOf(cluster);
        var leaderIndex = fixture.Lab.PatroniNames.ToList().IndexOf(leader!);
        await WaitStreamingAsync(fixture.Lab.PatroniPostgres[leaderIndex]);
        await using var provider = DiagnosticsHost.Build(fixture.Lab.PatroniPostgres[leaderIndex], fixture.Lab.PatroniUrls);

        // act
        var report = await provider.Runner().RunAsync(null, CancellationToken.None);

        // assert: the lab's cluster runs without archive_mode, which warns (no PITR); everything else passes
        Dump(report);
        Assert.All(report.Results.Where(r => r.Probe != ProbeNames.Replication), r => Assert.Equal(ProbeStatus.Ok, r.Status));
        var replication = report.Find(ProbeNames.Replication)!;
        Assert.Equal(ProbeStatus.Warn, replication.Status);
        Assert.Equal("off", replication.Facts[DiagnosisFactKeys.ArchiveMode]);
        Assert.StartsWith("archive_mode is off: there is no WAL archive, so no point-in-time recovery", replication.Summary, StringComparison.Ordinal);
        Assert.Equal("patroni_leader", report.Find(ProbeNames.Connectivity)!.Facts[DiagnosisFactKeys.TargetSource]);
        var patroni = report.Find(ProbeNames.Patroni)!;
        Assert.Equal(leader, patroni.Facts[FactKeys.PatroniLeader]);
        Assert.Equal(timeline.ToString(CultureInfo.InvariantCulture), patroni.Facts[FactKeys.PatroniTimeline]);
        Assert.Equal("false", patroni.Facts[FactKeys.PatroniPaused]);
        Assert.Equal(fixture.Lab.PatroniNames.Single(n => n != leader), patroni.Facts[DiagnosisFactKeys.PatroniCandidate]);
        Assert.Equal("1", report.Find(ProbeNames.Replication)!.Facts[FactKeys.ReplicationStreaming]);
        Assert.Equal(Classification.Healthy, report.Classification);
    }

    [Fact]
    public async Task RunAsync_PointedAtTheStandbyWithoutPatroni_CritNotHealthyAndReportsTheReceiverSide()
    {
        // arrange
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, _) = PatroniLab.LeaderOf(cluster);
        var names = fixture.Lab.PatroniNames.ToList();
        var replicaIndex = names.IndexOf(names.Single(n => n != leader));
        await WaitStreamingAsync(fixture.Lab.PatroniPostgres[names.IndexOf(leader!)]);
        await using var provider = DiagnosticsHost.Build(fixture.Lab.PatroniPostgres[replicaIndex], null);

        // act
        var report = await provider.Runner().RunAsync([ProbeNames.Connectivity, ProbeNames.Replication], CancellationToken.None);

        // assert
        Dump(report);
        var replication = report.Find(ProbeNames.Replication)!;
        Assert.Equal(ProbeStatus.Ok, replication.Status);
        Assert.Equal("true", replication.Facts[DiagnosisFactKeys.InRecovery]);
        Assert.Equal("streaming", replication.Facts[DiagnosisFactKeys.WalReceiverStatus]);
        Assert.StartsWith("this server is a standby", replication.Summary, StringComparison.Ordinal);
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.ConfiguredInRecovery]);
        Assert.Contains("the configured target, is a standby (in recovery), not the primary", connectivity.Summary, StringComparison.Ordinal);
        Assert.NotEqual(Classification.Healthy, report.Classification);
    }

    [Fact]
    public async Task RunAsync_HungDatabaseAndPatroni_UnknownTimeoutWithinBudget()
    {
        // arrange
        await using var hungPg = new HungServer();
        await using var hungPatroni = new HungServer();
        var connectionString = $"Host=127.0.0.1;Port={hungPg.Port};Username=cerberus_monitor;Password=not-used-secret;Database=cerberus";
        await using var provider = DiagnosticsHost.Build(connectionString, [hungPatroni.Url]);
        var budget = TimeSpan.FromSeconds(8) + TimeSpan.FromSeconds(1); // slowest probe (ProbeTimeout 8 s) + 1 s
        var clock = Stopwatch.StartNew();

        // act
        var report = await provider.Runner().RunAsync(null, CancellationToken.None);
        clock.Stop();

        // assert
        Dump(report);
        output.WriteLine($"hung server: report after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(clock.Elapsed < budget, $"the report took {clock.Elapsed}, budget {budget}");
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Unknown, connectivity.Status);
        Assert.Equal("timeout", connectivity.Facts[FactKeys.Connectivity]);
        Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.TcpAccepted]);
        Assert.Contains("timed out after 5 s", connectivity.Summary, StringComparison.Ordinal);
        Assert.InRange(connectivity.Duration, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(8));
        Assert.Equal(ProbeStatus.Unknown, report.Find(ProbeNames.Patroni)!.Status);
        Assert.Contains("no answer within 3 s", report.Find(ProbeNames.Patroni)!.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
        Assert.Contains($"127.0.0.1:{hungPg.Port} timed out after 5 s", report.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("not-used-secret", report.Sentence + string.Join(' ', report.Results.Select(r => r.Summary)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LeaderPostmasterHung_TimeoutWhilePatroniStillSeesALeader()
    {
        // arrange: SIGSTOP the leader's postmaster only. The kernel still accepts TCP, new sessions never get a
        // startup answer, while existing backends (Patroni's own connection) keep working: a hung primary that
        // Patroni does not notice.
        var lab = fixture.Lab;
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, _) = PatroniLab.LeaderOf(cluster);
        var names = lab.PatroniNames.ToList();
        var replica = names.Single(n => n != leader);
        var pidFile = Path.Combine(lab.Directory, "patroni", leader!, "data", "postmaster.pid");
        var postmaster = int.Parse((await File.ReadAllLinesAsync(pidFile))[0], CultureInfo.InvariantCulture);
        await using var provider = DiagnosticsHost.Build(lab.PatroniPostgres[names.IndexOf(leader!)], lab.PatroniUrls);
        await SignalAsync("STOP", postmaster);
        try
        {
            var clock = Stopwatch.StartNew();

            // act
            var report = await provider.Runner().RunAsync(null, CancellationToken.None);
            clock.Stop();

            // assert
            Dump(report);
            output.WriteLine($"hung postmaster: report after {clock.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"the report took {clock.Elapsed}");
            var connectivity = report.Find(ProbeNames.Connectivity)!;
            Assert.Equal("timeout", connectivity.Facts[FactKeys.Connectivity]);
            Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.TcpAccepted]);
            Assert.Equal(leader, report.Find(ProbeNames.Patroni)!.Facts[FactKeys.PatroniLeader]);
            Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
            Assert.Equal([RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp], report.Recommended);
            Assert.Contains($"a switchover cannot finish while the postmaster hangs", report.Sentence, StringComparison.Ordinal);
            Assert.Contains($"fence {leader}", report.Sentence, StringComparison.Ordinal);
            Assert.Contains($"Patroni then fails over to {replica} (lag", report.Sentence, StringComparison.Ordinal);
        }
        finally
        {
            await SignalAsync("CONT", postmaster);
            await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        }
    }

    [Fact]
    public async Task RunAsync_RefusedPort_ConnectivityRefusedAndPrimaryUnresponsive()
    {
        // arrange
        var port = HungServer.FreePort();
        await using var provider = DiagnosticsHost.Build($"Host=127.0.0.1;Port={port};Username=u;Password=p;Database=d", null);

        // act
        var report = await provider.Runner().RunAsync([ProbeNames.Connectivity], CancellationToken.None);

        // assert
        Dump(report);
        var connectivity = Assert.Single(report.Results);
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal("refused", connectivity.Facts[FactKeys.Connectivity]);
        Assert.True(connectivity.Duration < TimeSpan.FromSeconds(2), $"refused took {connectivity.Duration}");
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
    }

    [Fact]
    public async Task RunAsync_WrongPassword_ConnectivityAuthAndOtherProbesUnknown()
    {
        // arrange
        var wrong = new NpgsqlConnectionStringBuilder(fixture.Lab.MonitorConnectionString) { Password = "wrong-password-xyz" }.ConnectionString;
        await using var provider = DiagnosticsHost.Build(wrong, null);

        // act
        var report = await provider.Runner().RunAsync([ProbeNames.Connectivity, ProbeNames.Connections], CancellationToken.None);

        // assert
        Dump(report);
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal("auth", connectivity.Facts[FactKeys.Connectivity]);
        Assert.Equal("28P01", connectivity.Facts[DiagnosisFactKeys.SqlState]);
        Assert.Equal(ProbeStatus.Unknown, report.Find(ProbeNames.Connections)!.Status);
        Assert.Contains("authentication failed", report.Find(ProbeNames.Connections)!.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.Inconclusive, report.Classification);
        Assert.DoesNotContain("wrong-password-xyz", string.Join(' ', report.Results.Select(r => r.Summary)) + report.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ConnectionsSaturatedByNonSuperuser_CritThen53300()
    {
        // arrange
        const string role = "cerberus_sat_test";
        const string password = "sat-test-Pw1";
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        NpgsqlConnection.ClearAllPools();
        await ExecAsync(admin, $"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD '{password}'");
        var saturating = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Username = role, Password = password, Pooling = false }.ConnectionString;
        var held = new List<NpgsqlConnection>();
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        try
        {
            var others = Convert.ToInt32(await ScalarAsync(admin, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"), CultureInfo.InvariantCulture);
            var usable = Convert.ToInt32(await ScalarAsync(admin, "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"), CultureInfo.InvariantCulture);
            for (var i = others; i < usable - 1; i++)
            {
                held.Add(await OpenAsync(saturating));
            }

            // act
            var saturated = await provider.Runner().RunAsync([ProbeNames.Connections], CancellationToken.None);
            held.Add(await OpenAsync(saturating));
            var refused = await provider.Runner().RunAsync([ProbeNames.Connectivity], CancellationToken.None);

            // the first remedy offered, with a non-superuser operator role: no slot left for it either
            var harness = new Actions.ActionHarness(fixture.Lab);
            harness.ActionsOptions.PostgresConnectionString = saturating;
            var terminate = await harness.TerminateSessions(new Cerberus.ChatOps.Diagnostics.Postgres.PostgresOptions { ConnectionString = fixture.Lab.MonitorConnectionString })
                .ProposeAsync(Actions.ActionHarness.Request(), CancellationToken.None);

            // assert
            Dump(saturated);
            Dump(refused);
            var connections = saturated.Find(ProbeNames.Connections)!;
            Assert.Equal(ProbeStatus.Crit, connections.Status);
            Assert.True(double.Parse(connections.Facts[FactKeys.SaturationPercent], CultureInfo.InvariantCulture) >= 95);
            Assert.Contains(role, connections.Facts[DiagnosisFactKeys.TopOffender], StringComparison.Ordinal);
            Assert.Equal(Classification.ConnectionExhaustion, saturated.Classification);
            Assert.Equal([RemediationKind.TerminateSessions, RemediationKind.RestartBackend, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp], saturated.Recommended);
            var connectivity = refused.Find(ProbeNames.Connectivity)!;
            Assert.Equal("too_many_clients", connectivity.Facts[FactKeys.Connectivity]);
            Assert.Equal("53300", connectivity.Facts[DiagnosisFactKeys.SqlState]);
            Assert.Equal(ProbeStatus.Crit, connectivity.Status);
            Assert.Equal(Classification.ConnectionExhaustion, refused.Classification);
            Assert.Null(terminate.Action);
            Assert.Contains("The operator role got no connection on", terminate.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("(53300: ", terminate.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("only a superuser may take the last superuser_reserved_connections slots", terminate.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state LIKE 'idle in transaction%'", terminate.NotApplicableReason, StringComparison.Ordinal);
            Assert.DoesNotContain(password, terminate.NotApplicableReason, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var c in held)
            {
                await c.DisposeAsync();
            }

            await ExecAsync(admin, $"DROP ROLE IF EXISTS {role}");
        }
    }

    [Fact]
    public async Task RunAsync_IdleTransactionBlocksAWriter_WarnsNamingTheBlockerAndDatesIt()
    {
        // arrange
        var baseString = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false };
        var admin = baseString.ConnectionString;
        await ExecAsync(admin, "CREATE TABLE IF NOT EXISTS public.cerberus_diag_lock (id int)");
        var settings = new Dictionary<string, string?>
        {
            ["Cerberus:Postgres:LockWaitWarn"] = "00:00:01",
            ["Cerberus:Postgres:IdleInTransactionWarn"] = "00:00:01",
        };
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null, settings);
        await using var holder = await OpenAsync(new NpgsqlConnectionStringBuilder(admin) { ApplicationName = "holder-app" }.ConnectionString);
        await using var waiter = await OpenAsync(new NpgsqlConnectionStringBuilder(admin) { ApplicationName = "waiter-app" }.ConnectionString);
        var holderPid = holder.ProcessID;
        await using (var lockIt = new NpgsqlCommand("BEGIN; LOCK TABLE public.cerberus_diag_lock IN ACCESS EXCLUSIVE MODE", holder))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        await using var blocked = new NpgsqlCommand("SELECT count(*) FROM public.cerberus_diag_lock", waiter);
        var waiting = blocked.ExecuteScalarAsync();
        try
        {
            await Eventually.Async(async () => Convert.ToInt32(await ScalarAsync(admin,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waiter-app' AND wait_event_type = 'Lock'"), CultureInfo.InvariantCulture) == 1,
                TimeSpan.FromSeconds(10), "the writer did not wait on the lock", Eventually.ServerInterval);
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Connections], CancellationToken.None);

            // assert
            Dump(report);
            var connections = report.Find(ProbeNames.Connections)!;
            Assert.Equal(ProbeStatus.Warn, connections.Status);
            Assert.Equal("1", connections.Facts[FactKeys.LockWaiters]);
            Assert.Equal("1", connections.Facts[FactKeys.IdleInTransaction]);
            Assert.Contains(connections.Details, d => d.Contains($"blocked by {holderPid} postgres/holder-app (idle in transaction)", StringComparison.Ordinal));
            Assert.Contains("idle in transaction, the oldest for", connections.Summary, StringComparison.Ordinal);
            Assert.NotNull(connections.SymptomSince);
            Assert.True(connections.SymptomSince < DateTimeOffset.UtcNow.AddSeconds(-1));
            Assert.Equal(Classification.Healthy, report.Classification);
        }
        finally
        {
            await using (var rollback = new NpgsqlCommand("ROLLBACK", holder))
            {
                await rollback.ExecuteNonQueryAsync();
            }

            await waiting;
            await ExecAsync(admin, "DROP TABLE IF EXISTS public.cerberus_diag_lock");
        }
    }

    [Fact]
    public async Task RunAsync_ReplicaStopped_PatroniFlagsItAndReplicationBroken()
    {
        // arrange
        var lab = fixture.Lab;
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, _) = PatroniLab.LeaderOf(cluster);
        var names = lab.PatroniNames.ToList();
        var replica = names.Single(n => n != leader);
        var replicaNode = (names.IndexOf(replica) + 1).ToString(CultureInfo.InvariantCulture);
        await using var provider = DiagnosticsHost.Build(lab.PatroniPostgres[names.IndexOf(leader!)], lab.PatroniUrls);
        await lab.RunScriptAsync("stop-node", replicaNode);
        try
        {
            // act
            var report = await provider.Runner().RunAsync(null, CancellationToken.None);

            // assert
            Dump(report);
            var patroni = report.Find(ProbeNames.Patroni)!;
            Assert.Equal(ProbeStatus.Crit, patroni.Status);
            Assert.Equal(leader, patroni.Facts[FactKeys.PatroniLeader]);
            Assert.Equal("true", patroni.Facts[DiagnosisFactKeys.PatroniLeaderHealthy]);
            Assert.Equal("1/2", patroni.Facts[DiagnosisFactKeys.PatroniReachable]);
            Assert.False(patroni.Facts.ContainsKey(DiagnosisFactKeys.PatroniCandidate));
            Assert.Equal(ProbeStatus.Ok, report.Find(ProbeNames.Connectivity)!.Status);
            Assert.Equal("0", report.Find(ProbeNames.Replication)!.Facts[FactKeys.ReplicationStreaming]);
            Assert.Equal(Classification.ReplicationBroken, report.Classification);
            Assert.StartsWith("Replication broken:", report.Sentence, StringComparison.Ordinal);
            Assert.Contains(replica, report.Sentence, StringComparison.Ordinal);
            Assert.DoesNotContain(RemediationKind.DropReplicationSlot, report.Recommended);
        }
        finally
        {
            await lab.RunScriptAsync("start-node", replicaNode);
            await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        }
    }

    [Fact]
    public async Task RunAsync_InactiveSlotRetainingWal_WarnsAndRecommendsDroppingIt()
    {
        // arrange
        const string slot = "cerberus_test_slot";
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await ExecAsync(admin, $"SELECT pg_create_physical_replication_slot('{slot}', true)");
        try
        {
            await GenerateWalAsync(admin);

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Replication], CancellationToken.None);

            // assert
            Dump(report);
            var replication = report.Find(ProbeNames.Replication)!;
            Assert.Contains(replication.Status, new[] { ProbeStatus.Warn, ProbeStatus.Crit });
            Assert.Equal("1", replication.Facts[FactKeys.InactiveSlots]);
            Assert.Equal(slot, replication.Facts[DiagnosisFactKeys.InactiveSlotNames]);
            Assert.True(long.Parse(replication.Facts[FactKeys.SlotRetainedBytes], CultureInfo.InvariantCulture) > 0);
            Assert.Contains($"slot {slot} is inactive", replication.Summary, StringComparison.Ordinal);
            Assert.Equal(Classification.ReplicationBroken, report.Classification);
            Assert.Equal([RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint], report.Recommended);
        }
        finally
        {
            await ExecAsync(admin, $"SELECT pg_drop_replication_slot('{slot}')");
        }
    }

    [Fact]
    public async Task RunAsync_ArchiveCommandFailing_CritWithSymptomTime()
    {
        // arrange
        var lab = fixture.Lab;
        var admin = new NpgsqlConnectionStringBuilder(lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await using var provider = DiagnosticsHost.Build(lab.MonitorConnectionString, null);
        var failedBefore = Convert.ToInt64(await ScalarAsync(admin, "SELECT failed_count FROM pg_stat_archiver"), CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(lab.ArchiveFailFlag, "fail");
        try
        {
            await GenerateWalAsync(admin);
            await Eventually.Async(async () => Convert.ToInt64(await ScalarAsync(admin, "SELECT failed_count FROM pg_stat_archiver"), CultureInfo.InvariantCulture) > failedBefore,
                TimeSpan.FromSeconds(60), "the archiver did not fail", Eventually.ServerInterval);

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Replication], CancellationToken.None);

            // assert
            Dump(report);
            var replication = report.Find(ProbeNames.Replication)!;
            Assert.Equal(ProbeStatus.Crit, replication.Status);
            Assert.Equal("true", replication.Facts[FactKeys.ArchiverFailing]);
            Assert.True(long.Parse(replication.Facts[FactKeys.ArchiveReadyCount], CultureInfo.InvariantCulture) >= 1);
            Assert.NotNull(replication.SymptomSince);
            Assert.Contains("the archiver is failing", replication.Summary, StringComparison.Ordinal);
            Assert.Equal(Classification.ReplicationBroken, report.Classification);
        }
        finally
        {
            File.Delete(lab.ArchiveFailFlag);
            await GenerateWalAsync(admin);
            await Eventually.Async(async () => (bool)(await ScalarAsync(admin,
                    "SELECT coalesce(last_archived_time > last_failed_time, false) FROM pg_stat_archiver"))!,
                TimeSpan.FromSeconds(90), "the archiver did not recover", Eventually.ServerInterval);
        }
    }

    [Fact]
    public async Task RunAsync_ConfiguredTargetIsTheOldLeaderAfterSwitchover_CritAndProbesUseTheNewLeader()
    {
        // arrange: the bot is configured with the leader's address; Patroni then moves the primary
        var lab = fixture.Lab;
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (oldLeader, timeline) = PatroniLab.LeaderOf(cluster);
        var names = lab.PatroniNames.ToList();
        var newLeader = names.Single(n => n != oldLeader);
        var configured = lab.PatroniPostgres[names.IndexOf(oldLeader!)];
        var leaderAddress = new NpgsqlConnectionStringBuilder(lab.PatroniPostgres[names.IndexOf(newLeader)]);
        var (status, body) = await fixture.Patroni.SwitchoverAsync(oldLeader!, newLeader);
        Assert.True(status == 200, $"switchover: {status} {body}");
        await Eventually.Async(async () => PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90))).Leader == newLeader
                && (bool)(await ScalarAsync(configured, "SELECT pg_is_in_recovery()"))!,
            TimeSpan.FromSeconds(90), "the old leader did not come back as a standby", Eventually.ServerInterval);
        await WaitStreamingAsync(lab.PatroniPostgres[names.IndexOf(newLeader)]);
        await using var provider = DiagnosticsHost.Build(configured, lab.PatroniUrls);

        // act
        var report = await provider.Runner().RunAsync(null, CancellationToken.None);

        // assert: CRIT, and every database probe ran on the new leader, not on the configured (now standby) server
        Dump(report);
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.ConfiguredInRecovery]);
        Assert.Equal("false", connectivity.Facts[DiagnosisFactKeys.InRecovery]);
        Assert.Contains($"is a standby (in recovery), not the primary: Patroni's leader is {newLeader}", connectivity.Summary, StringComparison.Ordinal);
        var leaderTarget = $"{leaderAddress.Host}:{leaderAddress.Port}";
        foreach (var probe in SqlProbes)
        {
            Assert.Equal(leaderTarget, report.Find(probe)!.Facts[DiagnosisFactKeys.PostgresTarget]);
            Assert.Equal("patroni_leader", report.Find(probe)!.Facts[DiagnosisFactKeys.TargetSource]);
        }

        Assert.Equal("false", report.Find(ProbeNames.Replication)!.Facts[DiagnosisFactKeys.InRecovery]);
        Assert.Equal("1", report.Find(ProbeNames.Replication)!.Facts[FactKeys.ReplicationStreaming]);
        var patroni = report.Find(ProbeNames.Patroni)!;
        Assert.Equal((timeline + 1).ToString(CultureInfo.InvariantCulture), patroni.Facts[DiagnosisFactKeys.LastSwitchTimeline]);
        Assert.Equal(newLeader, patroni.Facts[DiagnosisFactKeys.LastSwitchLeader]);
        Assert.Equal(Classification.PrimaryUnresponsive, report.Classification);
        Assert.Contains("Patroni has already failed over", report.Sentence, StringComparison.Ordinal);
        Assert.Contains($"verify that {newLeader} takes writes", report.Sentence, StringComparison.Ordinal);
        Assert.DoesNotContain(RemediationKind.Switchover, report.Recommended);
        Assert.DoesNotContain(RemediationKind.Failover, report.Recommended);
        Assert.Equal([RemediationKind.Analyze], report.Recommended);
        Assert.Contains($"then ANALYZE the largest tables on {newLeader}", report.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ConfiguredDatabaseOutsideThePatroniCluster_CritSaysSo()
    {
        // arrange: the standalone PostgreSQL is configured, Patroni's URLs are the two-node cluster's
        var lab = fixture.Lab;
        await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var standalone = new NpgsqlConnectionStringBuilder(lab.MonitorConnectionString);
        var standaloneId = (string)(await ScalarAsync(lab.PostgresConnectionString, "SELECT system_identifier::text FROM pg_control_system()"))!;
        var clusterId = (string)(await ScalarAsync(lab.PatroniPostgres[0], "SELECT system_identifier::text FROM pg_control_system()"))!;
        await using var provider = DiagnosticsHost.Build(lab.MonitorConnectionString, lab.PatroniUrls);

        // act
        var report = await provider.Runner().RunAsync(null, CancellationToken.None);

        // assert: the checks stay on the configured server (its credentials) and say it is not the cluster's
        Dump(report);
        var connectivity = report.Find(ProbeNames.Connectivity)!;
        Assert.Equal(ProbeStatus.Crit, connectivity.Status);
        Assert.Equal("true", connectivity.Facts[DiagnosisFactKeys.OutsideCluster]);
        Assert.Equal(standaloneId, connectivity.Facts[DiagnosisFactKeys.SystemIdentifier]);
        Assert.Equal(clusterId, connectivity.Facts[DiagnosisFactKeys.ClusterSystemIdentifier]);
        Assert.Equal("configured", connectivity.Facts[DiagnosisFactKeys.TargetSource]);
        Assert.Equal($"{standalone.Host}:{standalone.Port}", connectivity.Facts[DiagnosisFactKeys.PostgresTarget]);
        Assert.Contains($"is not part of Patroni cluster {lab.PatroniScope}", connectivity.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.Inconclusive, report.Classification);
        Assert.Contains($"(system identifier {standaloneId}, the cluster's database_system_identifier {clusterId})", report.Sentence, StringComparison.Ordinal);
        Assert.Empty(report.Recommended);
    }

    [Fact]
    public async Task RunAsync_ReplicasWalReceiverRejectedByTheLeader_MissingStandbyWhilePatroniSaysRunning()
    {
        // arrange: a reject line for replication at the top of the leader's pg_hba.conf, a reload, and the walsender
        // terminated: the replica's walreceiver retries every wal_retrieve_retry_interval (5 s) and is refused each
        // time (measured: no pg_stat_replication row for 20 s, Patroni 3.0.2 still lists the replica running, lag 0;
        // after the line is removed it streams again within about 5 s).
        var lab = fixture.Lab;
        var cluster = await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, _) = PatroniLab.LeaderOf(cluster);
        var names = lab.PatroniNames.ToList();
        var replica = names.Single(n => n != leader);
        var leaderPg = lab.PatroniPostgres[names.IndexOf(leader!)];
        await WaitStreamingAsync(leaderPg);
        var hba = Path.Combine(lab.Directory, "patroni", leader!, "data", "pg_hba.conf");
        var original = await File.ReadAllTextAsync(hba);
        await using var provider = DiagnosticsHost.Build(leaderPg, lab.PatroniUrls);
        try
        {
            await File.WriteAllTextAsync(hba, "host replication all 127.0.0.1/32 reject\n" + original);
            await ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            await ExecAsync(leaderPg, "SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
            await Eventually.Async(async () => Convert.ToInt64(await ScalarAsync(leaderPg, "SELECT count(*) FROM pg_stat_replication"), CultureInfo.InvariantCulture) == 0,
                TimeSpan.FromSeconds(10), "the walsender did not go away", Eventually.ServerInterval);
            await Task.Delay(TimeSpan.FromSeconds(6)); // past one reconnect attempt of the walreceiver
            Assert.Equal(0L, Convert.ToInt64(await ScalarAsync(leaderPg, "SELECT count(*) FROM pg_stat_replication"), CultureInfo.InvariantCulture));

            // act
            var report = await provider.Runner().RunAsync(null, CancellationToken.None);

            // assert
            Dump(report);
            var replication = report.Find(ProbeNames.Replication)!;
            Assert.Equal(ProbeStatus.Crit, replication.Status);
            Assert.Equal($"{replica} (running in Patroni)", replication.Facts[DiagnosisFactKeys.MissingStandbys]);
            Assert.Contains($"Patroni lists {replica} (running in Patroni) but pg_stat_replication on the leader has no connection from it", replication.Summary, StringComparison.Ordinal);
            Assert.Contains($"{replica}:replica:running", report.Find(ProbeNames.Patroni)!.Facts[FactKeys.PatroniMembers], StringComparison.Ordinal);
            Assert.Equal(Classification.ReplicationBroken, report.Classification);
            Assert.Contains("not connected to the leader (no pg_stat_replication row)", report.Sentence, StringComparison.Ordinal);
            Assert.DoesNotContain(RemediationKind.DropReplicationSlot, report.Recommended);
        }
        finally
        {
            await File.WriteAllTextAsync(hba, original);
            await ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            await WaitStreamingAsync(leaderPg);
        }
    }

    [Fact]
    public async Task RunAsync_TableLockedAccessExclusive_DiskProbeSizesItFromPgClassWithoutWaiting()
    {
        // arrange: a session holds ACCESS EXCLUSIVE (as VACUUM FULL would); a size function would queue behind it
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await ExecAsync(admin, "CREATE TABLE IF NOT EXISTS public.cerberus_diag_exclusive (id int); INSERT INTO public.cerberus_diag_exclusive SELECT generate_series(1, 1000); ANALYZE public.cerberus_diag_exclusive");
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await using var holder = await OpenAsync(admin);
        await using (var lockIt = new NpgsqlCommand("BEGIN; LOCK TABLE public.cerberus_diag_exclusive IN ACCESS EXCLUSIVE MODE", holder))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        try
        {
            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None);

            // assert: no lock_timeout (2 s), the locked table listed from pg_class
            Dump(report);
            var disk = report.Find(ProbeNames.Disk)!;
            Assert.Equal(ProbeStatus.Ok, disk.Status);
            Assert.True(disk.Duration < TimeSpan.FromSeconds(1.5), $"the disk probe took {disk.Duration}");
            Assert.Contains(disk.Details, d => d.Contains("cerberus_diag_exclusive: about", StringComparison.Ordinal) && d.Contains("not opened: an ACCESS EXCLUSIVE lock", StringComparison.Ordinal));
        }
        finally
        {
            await using (var rollback = new NpgsqlCommand("ROLLBACK", holder))
            {
                await rollback.ExecuteNonQueryAsync();
            }

            await ExecAsync(admin, "DROP TABLE IF EXISTS public.cerberus_diag_exclusive");
        }
    }

    private static async Task GenerateWalAsync(string admin)
    {
        await ExecAsync(admin,
            """
            CREATE TABLE IF NOT EXISTS public.cerberus_diag_wal (id serial, payload text);
            INSERT INTO public.cerberus_diag_wal (payload) SELECT repeat('x', 200) FROM generate_series(1, 2000);
            DELETE FROM public.cerberus_diag_wal;
            SELECT pg_switch_wal();
            """);
    }

    /// <summary>Patroni reports a numeric lag before the walsender streams and the slot is active: wait for both.</summary>
    private static Task WaitStreamingAsync(string leaderSuperuser) =>
        Eventually.Async(async () => (bool)(await ScalarAsync(leaderSuperuser,
                """
                SELECT (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') = 1
                   AND (SELECT count(*) FROM pg_replication_slots WHERE NOT active) = 0
                """))!,
            TimeSpan.FromSeconds(30), "the replica did not stream", Eventually.ServerInterval);

    private static async Task SignalAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>
    /// An unpooled connection: earlier tests of the collection restart members and terminate backends, and a pooled
    /// connection to a restarted server fails on first use (57P01, or end of stream).
    /// </summary>
    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await c.OpenAsync();
        return c;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var c = await OpenAsync(connectionString);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var c = await OpenAsync(connectionString);
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }

    private string MonitorPassword() => new NpgsqlConnectionStringBuilder(fixture.Lab.MonitorConnectionString).Password!;

    private void Dump(Cerberus.ChatOps.Domain.Diagnostics.DiagnosisReport report)
    {
        output.WriteLine($"{report.Classification}: {report.Sentence} [{string.Join(", ", report.Recommended)}] in {(report.FinishedAt - report.StartedAt).TotalMilliseconds:0} ms");
        foreach (var r in report.Results)
        {
            output.WriteLine($"  {r.Probe} {r.Status} ({r.Duration.TotalMilliseconds:0} ms): {r.Summary}");
            foreach (var d in r.Details)
            {
                output.WriteLine($"    {d}");
            }

            output.WriteLine("    facts: " + string.Join(", ", r.Facts.Select(kv => $"{kv.Key}={kv.Value}")));
        }
    }
}
