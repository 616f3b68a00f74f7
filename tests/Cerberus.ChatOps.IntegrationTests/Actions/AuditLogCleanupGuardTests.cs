using System.Globalization;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// The clean-up's disk guards against the real standalone server, with free space from a fake <c>df</c> served through
/// the fake Kubernetes API's exec, exactly as the volume probe reads it; and the cutoff guarantees of the DELETE itself.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class AuditLogCleanupGuardTests(LabFixture fixture)
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;
    private const long Volume = 100 * GiB;

    private AuditLogTable Table => new(fixture.Lab);

    private static FakeExecResult Df(long available) =>
        new($"Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/sdb {Volume} {Volume - available} {available} {(Volume - available) * 100 / Volume}% /var/lib/postgresql\n");

    /// <summary>A fake cluster whose leader pod answers <c>df -P -B1 /var/lib/postgresql</c> with <paramref name="df"/>.</summary>
    private static async Task<FakeKubernetesApiServer> ClusterAsync(Func<FakeExecResult> df)
    {
        var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master"), claim: "data-postgres-primary-0"));
        server.Exec = (pod, container, command) => command is ["df", "-P", "-B1", "/var/lib/postgresql"] && pod == "postgres-primary-0" && container == "postgres"
            ? df()
            : new FakeExecResult(string.Empty, "unexpected command", 2);
        return server;
    }

    /// <summary>The floor the lab's server gets: max(2 × max_wal_size, 5 % of the 100 GiB volume).</summary>
    private async Task<long> FloorAsync() =>
        Math.Max(2 * await Table.ScalarAsync<long>("SELECT pg_size_bytes(current_setting('max_wal_size'))"), Volume / 20);

    [Fact]
    public async Task Propose_FreeSpaceBelowTheFloor_RefusesToStartAndDeletesNothing()
    {
        // arrange
        var now = await Table.SeedAsync(index: true);
        var floor = await FloorAsync();
        await using var server = await ClusterAsync(() => Df(floor - GiB));
        var action = new ActionHarness(fixture.Lab).Cleanup(FakeCluster.Access(server, o => o.ExecDiskProbe = true));

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);
        var (olderLeft, newerLeft, _) = await Table.CountAsync(now - TimeSpan.FromDays(90));

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains($"does not start: free space {Cerberus.ChatOps.Domain.Text.ByteSize.Format(floor - GiB)} (df /var/lib/postgresql in pod postgres-primary-0) minus the floor {Cerberus.ChatOps.Domain.Text.ByteSize.Format(floor)}", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("5 % of 100 GiB", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("frees no disk space", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.WebSocket && r.Body == "df -P -B1 /var/lib/postgresql");
        Assert.Equal(AuditLogTable.Older + 1, olderLeft);
        Assert.Equal(AuditLogTable.Newer + 1, newerLeft);
    }

    [Fact]
    public async Task Execute_HeadroomShrinksBelowOneBatchAfterTheFirstBatch_PausesThenStopsWithTheReasonAndDeletesNoMore()
    {
        // arrange: 50 GiB free at the approval; after batch 1 only 10 MiB above the floor, less than one batch's WAL
        var now = await Table.SeedAsync(index: true);
        var floor = await FloorAsync();
        var free = 50 * GiB;
        await using var server = await ClusterAsync(() => Df(free));
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 4_000;
        harness.CleanupOptions.MaxPause = TimeSpan.FromSeconds(1);
        var action = harness.Cleanup(FakeCluster.Access(server, o => o.ExecDiskProbe = true));
        var progress = new ListProgress(line =>
        {
            if (line.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                free = floor + (10 * MiB);
            }
        });

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);
        var record = proposal.Action!;
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
        var (olderLeft, newerLeft, _) = await Table.CountAsync(now - TimeSpan.FromDays(90));

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Contains($"Free space: 50 GiB of 100 GiB (df /var/lib/postgresql in pod postgres-primary-0); floor {Cerberus.ChatOps.Domain.Text.ByteSize.Format(floor)}", record.BasedOn, StringComparison.Ordinal);
        Assert.Equal("measured", record.Parameters["free_space"]);
        Assert.False(executed.Succeeded);
        Assert.StartsWith("Stopped before the next batch after 4000 rows in 1 batches: paused for 1 s (the most it waits) because free space 5.01 GiB (df /var/lib/postgresql in pod postgres-primary-0) minus the floor", executed.Summary, StringComparison.Ordinal);
        Assert.Contains($"minus the floor {Cerberus.ChatOps.Domain.Text.ByteSize.Format(floor)}", executed.Summary, StringComparison.Ordinal);
        Assert.Matches(@"leaves 10 MiB, less than the (3[1-9]|[4-9]\d)(\.\d)? MiB of WAL the next step can write", executed.Summary); // ≥ 4000 × (8 KiB + 64 B)
        Assert.Equal("4000", executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal("1", executed.Figures["batches_done"]);
        Assert.Single(progress.Lines, l => l.StartsWith("paused: free space", StringComparison.Ordinal)); // said once, not per check
        Assert.DoesNotContain(progress.Lines, l => l.StartsWith("batch 2:", StringComparison.Ordinal) || l.StartsWith("VACUUM", StringComparison.Ordinal));
        Assert.Equal(AuditLogTable.Older + 1 - 4_000, olderLeft);
        Assert.Equal(AuditLogTable.Newer + 1, newerLeft);
    }

    [Fact]
    public async Task Execute_SpaceComesBackWhilePaused_ResumesAndFinishes()
    {
        // arrange
        var now = await Table.SeedAsync(index: true);
        var floor = await FloorAsync();
        var free = 50 * GiB;
        await using var server = await ClusterAsync(() => Df(free));
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 4_000;
        harness.CleanupOptions.MaxPause = TimeSpan.FromSeconds(30);
        var action = harness.Cleanup(FakeCluster.Access(server, o => o.ExecDiskProbe = true));
        var pauses = 0;
        var progress = new ListProgress(line =>
        {
            if (line.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                free = floor - GiB;
            }
            else if (line.StartsWith("paused:", StringComparison.Ordinal) && ++pauses == 1)
            {
                free = 50 * GiB;
            }
        });

        // act
        var record = (await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None)).Action!;
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
        var (olderLeft, newerLeft, _) = await Table.CountAsync(now - TimeSpan.FromDays(90));

        // assert
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal(1, pauses);
        Assert.Contains(progress.Lines, l => l.StartsWith("resuming:", StringComparison.Ordinal));
        Assert.Equal((AuditLogTable.Older + 1).ToString(CultureInfo.InvariantCulture), executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal(0, olderLeft);
        Assert.Equal(AuditLogTable.Newer + 1, newerLeft);
    }

    [Fact]
    public async Task Execute_FreeSpaceUnmeasurableAfterAnApprovalThatMeasuredIt_PausesThenStopsSayingFreeSpaceUnknown()
    {
        // arrange
        var now = await Table.SeedAsync(index: true);
        var df = Df(50 * GiB);
        await using var server = await ClusterAsync(() => df);
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 4_000;
        harness.CleanupOptions.MaxPause = TimeSpan.FromMilliseconds(500);
        var action = harness.Cleanup(FakeCluster.Access(server, o => o.ExecDiskProbe = true));
        var progress = new ListProgress(line =>
        {
            if (line.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                df = new FakeExecResult(string.Empty, "df: /var/lib/postgresql: Input/output error", 1);
            }
        });

        // act
        var record = (await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None)).Action!;
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Contains("because free space unknown now (df exited with 1: df: /var/lib/postgresql: Input/output error), while the approval was given with it measured", executed.Summary, StringComparison.Ordinal);
        Assert.Equal("4000", executed.Figures[ActionFigureKeys.RowsDeleted]);
    }

    [Fact]
    public async Task Propose_ArchiverFailing_RefusesToStart()
    {
        // arrange: archive_command fails while the flag file exists (tests/lab/lab.sh)
        var lab = fixture.Lab;
        var now = await Table.SeedAsync(index: true);
        var failedBefore = await Table.ScalarAsync<long>("SELECT failed_count FROM pg_stat_archiver");
        await File.WriteAllTextAsync(lab.ArchiveFailFlag, "fail");
        try
        {
            await Table.ExecAsync("CREATE TABLE IF NOT EXISTS public.wal_filler (x int); INSERT INTO public.wal_filler SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
            await Eventually.Async(async () => await Table.ScalarAsync<long>("SELECT failed_count FROM pg_stat_archiver") > failedBefore
                                             && await Table.ScalarAsync<bool>("SELECT coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false) FROM pg_stat_archiver"),
                TimeSpan.FromSeconds(60), "the archiver did not fail", TimeSpan.FromMilliseconds(100));
            var action = new ActionHarness(lab).Cleanup();

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);

            // assert
            Assert.Null(proposal.Action);
            Assert.Contains("does not start: the archiver is failing (pg_stat_archiver: last_failed_time is newer than last_archived_time", proposal.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("fix archive_command then CHECKPOINT", proposal.NotApplicableReason, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(lab.ArchiveFailFlag);
            await Table.ExecAsync("INSERT INTO public.wal_filler SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
            await Eventually.Async(async () => await Table.ScalarAsync<bool>("SELECT coalesce(last_archived_time > last_failed_time, true) FROM pg_stat_archiver"),
                TimeSpan.FromSeconds(90), "the archiver did not recover", TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public async Task Propose_InactiveSlotRetainsWal_RefusesNamingTheSlot()
    {
        // arrange
        const string slot = "cerberus_cleanup_guard_slot";
        var now = await Table.SeedAsync(index: true);
        await Table.ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; SELECT pg_create_physical_replication_slot('{slot}', true)");
        try
        {
            await Table.ExecAsync("CREATE TABLE IF NOT EXISTS public.wal_filler (x int); INSERT INTO public.wal_filler SELECT generate_series(1, 1000)");
            var action = new ActionHarness(fixture.Lab).Cleanup();

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);

            // assert
            Assert.Null(proposal.Action);
            Assert.Matches($@"does not start: inactive replication slot {slot} retains [\d.]+ (B|KiB|MiB|GiB) of WAL: drop it or bring its consumer back first", proposal.NotApplicableReason);
        }
        finally
        {
            await Table.ExecAsync($"SELECT pg_drop_replication_slot('{slot}')");
        }
    }

    [Fact]
    public async Task Execute_RowInTheBatchMovedPastTheCutoffByAConcurrentUpdate_IsNotDeleted()
    {
        // arrange: one batch covers every old row; a concurrent transaction moves one of them to now() and holds its lock
        // until the DELETE waits on it, then commits: the DELETE follows the row to its new version and must re-check it.
        // The outer "AND created_at < cutoff" is that re-check. The lab's 15.20 also re-checks the TID list itself (older
        // minors' TidRecheck returned true), so here this test guards the guarantee rather than singling out the predicate.
        var now = await Table.SeedAsync(index: true);
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 100_000;
        var action = harness.Cleanup();
        var record = (await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None)).Action!;
        var moved = await Table.ScalarAsync<long>("SELECT min(id) FROM audit.logs");
        await using var holder = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand($"UPDATE audit.logs SET created_at = now(), payload = 'moved' WHERE id = {moved}", holder, tx))
        {
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        // act
        var execution = action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        await Eventually.Async(async () => await Table.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cerberus-chatops-actions' AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%'") == 1 || execution.IsCompleted,
            TimeSpan.FromSeconds(4), "the DELETE never waited on the moved row", TimeSpan.FromMilliseconds(100));
        await tx.CommitAsync();
        var executed = await execution;
        var (olderLeft, newerLeft, _) = await Table.CountAsync(now - TimeSpan.FromDays(90));
        var survivor = await Table.ScalarAsync<string>($"SELECT coalesce((SELECT payload FROM audit.logs WHERE id = {moved}), 'deleted')");

        // assert
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal("moved", survivor);
        Assert.Equal(AuditLogTable.Older.ToString(CultureInfo.InvariantCulture), executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal(0, olderLeft);
        Assert.Equal(AuditLogTable.Newer + 2, newerLeft);
    }

    [Fact]
    public async Task Execute_TimestampWithoutTimeZoneAndServerEastOfUtc_DeletesNoRowNewerThanTheRetention()
    {
        // arrange: a timestamp (no zone) column; the session TimeZone is Asia/Tokyo (UTC+9). Bound as timestamptz, the
        // comparison would read every wall clock as Tokyo time and delete rows up to 9 h newer than the retention.
        var now = DateTimeOffset.UtcNow;
        var cutoffWall = (now - TimeSpan.FromDays(90)).UtcDateTime;
        await using (var connection = new NpgsqlConnection(fixture.Lab.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand(
                """
                CREATE SCHEMA IF NOT EXISTS audit;
                DROP TABLE IF EXISTS audit.logs_local;
                CREATE TABLE audit.logs_local (id bigserial PRIMARY KEY, created_at timestamp NOT NULL, payload text NOT NULL);
                INSERT INTO audit.logs_local (created_at, payload) SELECT @wall - make_interval(mins => g), 'old' FROM generate_series(1, 500) g;
                INSERT INTO audit.logs_local (created_at, payload) VALUES (@wall + interval '1 hour', 'newer by 1 h (UTC wall clock)'),
                                                                          (@wall + interval '10 hours', 'newer by 1 h (Tokyo wall clock)');
                CREATE INDEX ON audit.logs_local (created_at);
                ANALYZE audit.logs_local;
                """, connection);
            seed.Parameters.Add(new NpgsqlParameter("wall", NpgsqlTypes.NpgsqlDbType.Timestamp) { Value = DateTime.SpecifyKind(cutoffWall, DateTimeKind.Unspecified) });
            await seed.ExecuteNonQueryAsync();
        }

        var harness = new ActionHarness(fixture.Lab);
        harness.ActionsOptions.PostgresConnectionString = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Options = "-c TimeZone=Asia/Tokyo" }.ConnectionString;
        harness.CleanupOptions.Table = "audit.logs_local";
        var action = harness.Cleanup();

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);
        var record = proposal.Action!;
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var kept = await Table.ScalarAsync<string>("SELECT string_agg(payload, ' | ' ORDER BY id) FROM audit.logs_local");

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Equal("timestamp without time zone", record.Parameters["column_type"]);
        Assert.Contains("created_at is timestamp without time zone: the cutoff is bound as '", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("500 rows of audit.logs_local are older than", record.BasedOn, StringComparison.Ordinal);
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal("500", executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal("newer by 1 h (UTC wall clock) | newer by 1 h (Tokyo wall clock)", kept);
    }
}
