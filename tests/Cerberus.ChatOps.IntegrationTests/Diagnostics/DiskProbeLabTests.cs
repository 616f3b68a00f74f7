using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
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
