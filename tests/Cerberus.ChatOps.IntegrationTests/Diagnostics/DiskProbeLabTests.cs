using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>The disk probe's WAL rule on the real standalone server: wal_keep_size and slot retention raise the limit.</summary>
[Collection(LabCollection.Name)]
public sealed class DiskProbeLabTests(LabFixture fixture)
{
    [Fact]
    public async Task RunAsync_WalKeepSizeAndAnInactiveSlot_LimitIsTwiceTheLargerSettingPlusWhatTheSlotRetains()
    {
        // arrange: wal_keep_size 10 GB (ten times max_wal_size) and a slot pinning WAL
        const string slot = "cerberus_diskprobe_slot";
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await ExecAsync(admin, "ALTER SYSTEM SET wal_keep_size = '10GB'");
        await ExecAsync(admin, "SELECT pg_reload_conf()");
        await ExecAsync(admin, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; SELECT pg_create_physical_replication_slot('{slot}', true)");
        try
        {
            await ExecAsync(admin, "CREATE TABLE IF NOT EXISTS public.cerberus_diskprobe_wal (payload text); INSERT INTO public.cerberus_diskprobe_wal SELECT repeat('x', 200) FROM generate_series(1, 20000)");
            await Eventually.Async(() => ScalarAsync<string>(fixture.Lab.MonitorConnectionString, "SELECT current_setting('wal_keep_size')"), setting => setting == "10GB",
                TimeSpan.FromSeconds(10), "the reload was not seen", TimeSpan.FromMilliseconds(100));
            var retainedBefore = await ScalarAsync<long>(admin, $"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '{slot}'");
            var maxWalSize = await ScalarAsync<long>(admin, "SELECT pg_size_bytes(current_setting('max_wal_size'))");

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None);
            var retainedAfter = await ScalarAsync<long>(admin, $"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '{slot}'");

            // assert
            var disk = report.Find(ProbeNames.Disk)!;
            var limit = long.Parse(disk.Facts[DiagnosisFactKeys.WalLimitBytes], CultureInfo.InvariantCulture);
            var keep = 10L << 30;
            Assert.True(keep > 2 * maxWalSize, "the lab's max_wal_size is expected below 5 GB");
            Assert.True(retainedBefore > 1L << 20, $"the slot retains only {retainedBefore} B");
            Assert.InRange(limit, (2 * keep) + retainedBefore, (2 * keep) + retainedAfter);
            Assert.Equal("false", disk.Facts[DiagnosisFactKeys.WalOverLimit]);
            Assert.Contains(disk.Details, d => d.StartsWith("pg_wal: ", StringComparison.Ordinal) && d.Contains("wal_keep_size 10GB, slots retain up to", StringComparison.Ordinal));
        }
        finally
        {
            await ExecAsync(admin, $"SELECT pg_drop_replication_slot('{slot}')");
            await ExecAsync(admin, "ALTER SYSTEM RESET wal_keep_size");
            await ExecAsync(admin, "SELECT pg_reload_conf()");
            await ExecAsync(admin, "DROP TABLE IF EXISTS public.cerberus_diskprobe_wal");
        }
    }

    [Fact]
    public async Task RunAsync_ASortSpillingToDisk_TempFilesMeasuredByPgLsTmpdirAsPgMonitor()
    {
        // arrange: a sort far beyond work_mem writes pgsql_tmp files while it runs
        var admin = Admin();
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await using var spill = new NpgsqlConnection(admin);
        await spill.OpenAsync();
        await using (var set = new NpgsqlCommand("SET work_mem = '64kB'; SET max_parallel_workers_per_gather = 0", spill))
        {
            await set.ExecuteNonQueryAsync();
        }

        using var stop = new CancellationTokenSource();
        await using var sort = new NpgsqlCommand("SELECT count(*) FROM (SELECT g FROM generate_series(1, 20000000) g ORDER BY g DESC) s", spill) { CommandTimeout = 120 };
        var running = sort.ExecuteScalarAsync(stop.Token);
        try
        {
            var seen = await Eventually.Async(() => ScalarAsync<long>(admin, "SELECT coalesce(sum(size), 0)::bigint FROM pg_ls_tmpdir()"), bytes => bytes > 1L << 20,
                TimeSpan.FromSeconds(20), "the sort wrote no temp file", TimeSpan.FromMilliseconds(100));

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None);

            // assert
            var disk = report.Find(ProbeNames.Disk)!;
            Assert.True(long.Parse(disk.Facts[DiagnosisFactKeys.TempFilesBytes], CultureInfo.InvariantCulture) >= seen, string.Join(" | ", disk.Details));
            Assert.Contains(disk.Details, d => d.StartsWith("temp files: ", StringComparison.Ordinal) && d.Contains("(pg_default ", StringComparison.Ordinal)
                                               && d.EndsWith("a lower bound: pg_ls_tmpdir lists regular files only, not the shared filesets of parallel queries (subdirectories)", StringComparison.Ordinal));
            Assert.Contains("temp files ≥ ", disk.Summary, StringComparison.Ordinal);
            Assert.StartsWith("temp files: ", disk.Details[1], StringComparison.Ordinal);
            Assert.StartsWith("databases: ", disk.Details[4], StringComparison.Ordinal);
            Assert.False(disk.Facts.ContainsKey(DiagnosisFactKeys.UnmeasuredConsumers));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => running);
        }
    }

    [Fact]
    public async Task RunAsync_LogDirectoryMissingThenPointedAtFiles_NoDirectoryIsZeroAndFilesAreSized()
    {
        // arrange: the lab logs to stderr (logging_collector off), so log_directory 'log' does not exist; log_directory
        // is reloadable, so pointing it at the lab's own log folder gives pg_ls_logdir() files of known size
        var admin = Admin();
        var folder = Path.Combine(fixture.Lab.Directory, "log");
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        var missing = (await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None)).Find(ProbeNames.Disk)!;
        await ExecAsync(admin, $"ALTER SYSTEM SET log_directory = '{folder}'");
        await ExecAsync(admin, "SELECT pg_reload_conf()");
        try
        {
            await Eventually.Async(() => ScalarAsync<string>(fixture.Lab.MonitorConnectionString, "SELECT current_setting('log_directory')"), d => d == folder,
                TimeSpan.FromSeconds(10), "the reload was not seen", TimeSpan.FromMilliseconds(100));
            var before = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);

            // act
            var disk = (await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None)).Find(ProbeNames.Disk)!;
            var after = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);

            // assert
            Assert.Equal("0", missing.Facts[DiagnosisFactKeys.ServerLogBytes]);
            Assert.Contains("server logs: no log directory log (logging_collector off: the server logs to stderr, i.e. the container log)", missing.Details);
            Assert.InRange(long.Parse(disk.Facts[DiagnosisFactKeys.ServerLogBytes], CultureInfo.InvariantCulture), before, after);
            Assert.Contains(disk.Details, d => d.StartsWith($"server logs: {Directory.GetFiles(folder).Length} files, ", StringComparison.Ordinal)
                                               && d.EndsWith($"in {folder} (outside the data directory: maybe on another volume) (logging_collector off)", StringComparison.Ordinal));
        }
        finally
        {
            await ExecAsync(admin, "ALTER SYSTEM RESET log_directory");
            await ExecAsync(admin, "SELECT pg_reload_conf()");
        }
    }

    [Fact]
    public async Task RunAsync_ArchiverFailing_ReadyBacklogIsItsSegmentsTimesWalSegmentSize()
    {
        // arrange: archive_command fails while the flag exists; each switched segment then waits as .ready
        var admin = Admin();
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await File.WriteAllTextAsync(fixture.Lab.ArchiveFailFlag, "fail");
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await SwitchWalAsync(admin);
            }

            var ready = await Eventually.Async(() => ScalarAsync<long>(admin, "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"), n => n >= 3,
                TimeSpan.FromSeconds(10), "no .ready segment", TimeSpan.FromMilliseconds(100));
            var segment = await ScalarAsync<long>(admin, "SELECT pg_size_bytes(current_setting('wal_segment_size'))::bigint");

            // act
            var disk = (await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None)).Find(ProbeNames.Disk)!;

            // assert
            Assert.Equal(16L << 20, segment);
            Assert.Equal(ready * segment, long.Parse(disk.Facts[DiagnosisFactKeys.ArchiveReadyBytes], CultureInfo.InvariantCulture));
            Assert.Contains(disk.Details, d => d.StartsWith($"archive_status: {ready} .ready segments wait for the archiver = {ByteSize.Format(ready * segment)} of pg_wal that cannot be recycled until archived, the oldest since ", StringComparison.Ordinal));
            Assert.Contains($"{ready} .ready ({ByteSize.Format(ready * segment)} of pg_wal)", disk.Summary, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(fixture.Lab.ArchiveFailFlag);
            await SwitchWalAsync(admin);
            await Eventually.Async(() => ScalarAsync<long>(admin, "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"), n => n == 0,
                TimeSpan.FromSeconds(60), "the archiver did not catch up", TimeSpan.FromMilliseconds(250));
        }
    }

    [Fact]
    public async Task RunAsync_RoleWithoutPgMonitor_EachListingUnknownNamingTheGrantTheRestMeasured()
    {
        // arrange
        const string role = "cerberus_no_monitor";
        var password = Guid.NewGuid().ToString("N");
        var admin = Admin();
        await ExecAsync(admin, $"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD '{password}'");
        var plain = new NpgsqlConnectionStringBuilder(fixture.Lab.MonitorConnectionString) { Username = role, Password = password }.ConnectionString;
        await using var provider = DiagnosticsHost.Build(plain, null);
        try
        {
            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Disk], CancellationToken.None);

            // assert
            var disk = report.Find(ProbeNames.Disk)!;
            Assert.NotEqual(ProbeStatus.Unknown, disk.Status);
            Assert.Equal("pg_wal,temp files,server logs,.ready backlog", disk.Facts[DiagnosisFactKeys.UnmeasuredConsumers]);
            Assert.False(disk.Facts.ContainsKey(FactKeys.WalBytes));
            Assert.False(disk.Facts.ContainsKey(DiagnosisFactKeys.WalOverLimit));
            Assert.False(disk.Facts.ContainsKey(DiagnosisFactKeys.TempFilesBytes));
            Assert.False(disk.Facts.ContainsKey(DiagnosisFactKeys.ServerLogBytes));
            Assert.False(disk.Facts.ContainsKey(DiagnosisFactKeys.ArchiveReadyBytes));
            Assert.True(long.Parse(disk.Facts[FactKeys.DatabaseBytes], CultureInfo.InvariantCulture) > 0);
            Assert.Contains(disk.Details, d => d.StartsWith("pg_wal: unknown (permission denied for pg_ls_waldir: the bot's role needs pg_monitor)", StringComparison.Ordinal));
            Assert.Contains("temp files: unknown (permission denied for pg_ls_tmpdir: the bot's role needs pg_monitor)", disk.Details);
            Assert.Contains("server logs: unknown (permission denied for log_directory: the bot's role needs pg_monitor)", disk.Details);
            Assert.Contains(".ready backlog: unknown (permission denied for pg_ls_archive_statusdir: the bot's role needs pg_monitor)", disk.Details);
            Assert.StartsWith("pg_wal unknown, databases ", disk.Summary, StringComparison.Ordinal);
            Assert.EndsWith("temp files unknown, server logs unknown, .ready backlog unknown", disk.Summary, StringComparison.Ordinal);
        }
        finally
        {
            await ExecAsync(admin, $"DROP ROLE IF EXISTS {role}");
        }
    }

    private string Admin() => new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;

    private static Task SwitchWalAsync(string admin) => ExecAsync(admin,
        """
        CREATE TABLE IF NOT EXISTS public.cerberus_diskprobe_ready (payload text);
        INSERT INTO public.cerberus_diskprobe_ready SELECT repeat('x', 100) FROM generate_series(1, 200);
        SELECT pg_switch_wal();
        """);

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
