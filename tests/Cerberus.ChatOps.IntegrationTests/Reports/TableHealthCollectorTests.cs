using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Reports;

/// <summary>The integrity check against the lab's standalone PostgreSQL 15, read with the bot's pg_monitor role.</summary>
[Collection(LabCollection.Name)]
public sealed class TableHealthCollectorTests(LabFixture fixture)
{
    private static TableHealthCollector Collector() => new(TimeProvider.System, NullLogger<TableHealthCollector>.Instance);

    private static string Describe(TableHealth health) =>
        health.Problem ?? string.Join(", ", health.Rows.Select(r => $"{r.Schema}.{r.Table} (vacuumed {r.LastVacuum?.ToString("O", CultureInfo.InvariantCulture) ?? "never"})"));

    [Fact]
    public async Task CollectAsync_AsPgMonitor_ReadsLiveAndDeadTuplesOfATableWithDeletedRows()
    {
        // arrange
        var lab = fixture.Lab;
        var schema = "report_it_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(lab.PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var setup = new NpgsqlCommand(
                $"""
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.logs (id bigint PRIMARY KEY, created_at timestamptz NOT NULL) WITH (autovacuum_enabled = false);
                INSERT INTO {schema}.logs SELECT g, now() - g * interval '1 minute' FROM generate_series(1, 300000) g;
                DELETE FROM {schema}.logs WHERE id <= 250000;
                """, admin);
            await setup.ExecuteNonQueryAsync();
            await using var flush = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", admin);
            await flush.ExecuteNonQueryAsync();
        }

        try
        {
            // act
            var health = await Eventually.Async(
                () => Collector().CollectAsync(lab.MonitorConnectionString, CancellationToken.None),
                h => h.Problem is not null || h.Rows.Any(r => r.Schema == schema),
                TimeSpan.FromSeconds(15),
                $"the statistics never showed {schema}.logs",
                TimeSpan.FromMilliseconds(500),
                Describe);

            // assert
            Assert.Null(health.Problem);
            Assert.InRange(health.Rows.Count, 1, 20);
            var row = Assert.Single(health.Rows, r => r.Schema == schema && r.Table == "logs");
            Assert.Equal(50_000, row.LiveTuples);
            Assert.Equal(250_000, row.DeadTuples);
            Assert.Equal(83.3, row.DeadPercent);
            Assert.True(row.IsBloated);
            Assert.Null(row.LastVacuum);
            Assert.Null(row.LastAutovacuum);
            Assert.Equal(health.Rows.OrderByDescending(r => r.DeadTuples).Select(r => r.DeadTuples), health.Rows.Select(r => r.DeadTuples));
        }
        finally
        {
            await using var admin = new NpgsqlConnection(lab.PostgresConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task CollectAsync_AfterVacuum_ReportsTheVacuumTime()
    {
        // arrange
        var lab = fixture.Lab;
        var schema = "report_it_" + Guid.NewGuid().ToString("N")[..8];
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await using (var admin = new NpgsqlConnection(lab.PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var setup = new NpgsqlCommand(
                $"""
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.sessions (id bigint PRIMARY KEY) WITH (autovacuum_enabled = false);
                INSERT INTO {schema}.sessions SELECT g FROM generate_series(1, 1000) g;
                DELETE FROM {schema}.sessions WHERE id <= 100;
                """, admin);
            await setup.ExecuteNonQueryAsync();
            await using var flushWrites = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", admin);
            await flushWrites.ExecuteNonQueryAsync();
            await using var vacuum = new NpgsqlCommand($"VACUUM {schema}.sessions", admin);
            await vacuum.ExecuteNonQueryAsync();
            await using var flush = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", admin);
            await flush.ExecuteNonQueryAsync();
        }

        try
        {
            // act
            var health = await Eventually.Async(
                () => Collector().CollectAsync(lab.MonitorConnectionString, CancellationToken.None),
                h => h.Problem is not null || h.Rows.Any(r => r.Schema == schema && r.LastVacuum is not null),
                TimeSpan.FromSeconds(15),
                $"the statistics never showed the vacuum of {schema}.sessions",
                TimeSpan.FromMilliseconds(500),
                Describe);

            // assert
            Assert.Null(health.Problem);
            var row = Assert.Single(health.Rows, r => r.Schema == schema);
            Assert.Equal(900, row.LiveTuples);
            Assert.Equal(0, row.DeadTuples);
            Assert.NotNull(row.LastVacuum);
            Assert.InRange(row.LastVacuum.Value, before, DateTimeOffset.UtcNow.AddSeconds(5));
            Assert.Equal(TimeSpan.Zero, row.LastVacuum.Value.Offset);
        }
        finally
        {
            await using var admin = new NpgsqlConnection(lab.PostgresConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task CollectAsync_WrongPassword_ReturnsTheReasonWithoutTheSecret()
    {
        // arrange
        var lab = fixture.Lab;
        var builder = new NpgsqlConnectionStringBuilder(lab.MonitorConnectionString) { Password = "not-the-password-4711" };

        // act
        var health = await Collector().CollectAsync(builder.ConnectionString, CancellationToken.None);

        // assert
        Assert.Empty(health.Rows);
        Assert.NotNull(health.Problem);
        Assert.StartsWith("PostgreSQL refused the query (28P01)", health.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-4711", health.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_NothingListening_ReturnsTheReasonInsteadOfThrowing()
    {
        // arrange
        var builder = new NpgsqlConnectionStringBuilder(fixture.Lab.MonitorConnectionString) { Port = 1 };

        // act
        var health = await Collector().CollectAsync(builder.ConnectionString, CancellationToken.None);

        // assert
        Assert.Empty(health.Rows);
        Assert.StartsWith("could not read pg_stat_user_tables:", health.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(builder.Password!, health.Problem, StringComparison.Ordinal);
    }
}
