using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Store;

/// <summary>The store contract against a real SQLite file (a fresh file, in a directory that does not exist yet, per test).</summary>
public sealed class SqliteIncidentStoreTests : IncidentStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-store-tests", Guid.NewGuid().ToString("N"));

    private string DatabaseFile => Path.Combine(_directory, "data", "cerberus.db");

    [Fact]
    public async Task InitializeAsync_FirstStart_CreatesTheDirectoryAndAWalModeFile()
    {
        // arrange
        var store = await NewStoreAsync(initialize: false);

        // act
        await store.InitializeAsync(Ct);

        // assert
        Assert.True(File.Exists(DatabaseFile));
        await using var connection = new SqliteConnection($"Data Source={DatabaseFile}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task InitializeAsync_VersionOneFileWithQueuedItems_MigratesAndTheItemsAreClaimable()
    {
        // arrange: a store written by the previous release (schema 1), with a pending request and message
        Directory.CreateDirectory(Path.GetDirectoryName(DatabaseFile)!);
        await using (var connection = new SqliteConnection($"Data Source={DatabaseFile}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);"
                + SqliteMigrations.All[0].Sql
                + "INSERT INTO schema_version VALUES (1, 'v1', 0);"
                + "INSERT INTO inbox (key, kind, payload, received_at, done) VALUES ('k1', 'command', '{}', 0, 0);"
                + "INSERT INTO outbox (id, incident_id, kind, channel, payload, created_at, status, next_attempt_at) VALUES ('o1', '', 'post', 'C1', '{}', 0, 'InFlight', 0);";
            await command.ExecuteNonQueryAsync(Ct);
        }

        SqliteConnection.ClearAllPools();
        var store = await NewStoreAsync(initialize: false);

        // act
        await store.InitializeAsync(Ct);
        var inbound = await store.TryClaimAsync("k1", "owner-a", TimeSpan.FromMinutes(5), Ct);
        var outbound = await store.TryClaimAsync("o1", "owner-a", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), Ct);

        // assert
        Assert.Equal(store.LatestSchemaVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(1, inbound?.Attempts);
        Assert.Equal(OutboxStatus.InFlight, outbound?.Status);
        Assert.Equal("owner-a", outbound?.ClaimedBy);
    }

    internal override ICerberusStore CreateStoreInstance(TimeProvider time) =>
        new SqliteIncidentStore($"Data Source={DatabaseFile}", time, NullLogger<SqliteIncidentStore>.Instance);

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

    protected override async Task ClearSummaryColumnsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabaseFile}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE incidents SET summary = NULL, commander = NULL, resolved_at = NULL, drill = NULL, rto_started_at = NULL, next_expiry_at = NULL, reminders_sent = NULL;";
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
