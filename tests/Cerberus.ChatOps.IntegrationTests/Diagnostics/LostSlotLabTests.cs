using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>
/// A slot the server really invalidated (max_slot_wal_keep_size, wal_status = 'lost') on the standalone lab server:
/// the diagnosis says "reinitialise", never "bring it back" (DBA review #25).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LostSlotLabTests(LabFixture fixture, ITestOutputHelper output)
{
    private string Admin => new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;

    [Fact]
    public async Task RunAsync_SlotInvalidatedByMaxSlotWalKeepSize_SaysReinitialiseNotBringBack()
    {
        // arrange
        const string slot = "cerberus_lost_slot";
        await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null);
        await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
        await ExecAsync("ALTER SYSTEM SET max_slot_wal_keep_size = '16MB'");
        await ExecAsync("SELECT pg_reload_conf()");
        await ExecAsync($"SELECT pg_create_physical_replication_slot('{slot}', true)");
        try
        {
            await Eventually.Async( // each poll that does not see it lost writes and recycles more WAL
                async () =>
                {
                    var status = await ScalarAsync($"SELECT coalesce(wal_status, '') FROM pg_replication_slots WHERE slot_name = '{slot}'");
                    if (status != "lost")
                    {
                        await ExecAsync("CREATE TABLE IF NOT EXISTS public.lost_slot_filler (x int); INSERT INTO public.lost_slot_filler SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
                        await ExecAsync("CHECKPOINT");
                    }

                    return status;
                },
                status => status == "lost",
                TimeSpan.FromSeconds(90),
                "the server did not invalidate the slot",
                TimeSpan.Zero);

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Replication], CancellationToken.None);

            // assert
            output.WriteLine(report.Sentence);
            var replication = report.Find(ProbeNames.Replication)!;
            Assert.Equal(slot, replication.Facts[DiagnosisFactKeys.LostSlotNames]);
            Assert.Equal(Classification.ReplicationBroken, report.Classification);
            Assert.Empty(report.Recommended);
            Assert.Contains($"slot {slot} is lost (wal_status lost): its consumer can no longer catch up from WAL, so reinitialise the replica (patronictl reinit / POST /reinitialize)", report.Sentence, StringComparison.Ordinal);
            Assert.DoesNotContain("bring that member back", report.Sentence, StringComparison.Ordinal);
        }
        finally
        {
            await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
            await ExecAsync("ALTER SYSTEM RESET max_slot_wal_keep_size");
            await ExecAsync("SELECT pg_reload_conf()");
        }
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
