using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Store.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Store;

/// <summary>The store contract against a real PostgreSQL 15 (the lab's standalone server), one database per test.</summary>
[Collection(LabCollection.Name)]
public sealed class PostgresIncidentStoreTests(PostgresTestServer server) : IncidentStoreContract, IClassFixture<PostgresTestServer>
{
    private string _database = string.Empty;
    private string _connectionString = string.Empty;

    [Fact]
    public async Task InitializeAsync_FreshDatabase_CreatesEveryTableInTheCerberusSchema()
    {
        // arrange
        var store = await NewStoreAsync(initialize: false);

        // act
        await store.InitializeAsync(Ct);

        // assert
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'cerberus'", connection);
        Assert.Equal("inbox,incident_counters,incidents,leases,message_refs,outbox,schema_version", (string?)await command.ExecuteScalarAsync(Ct));
    }

    internal override ICerberusStore CreateStoreInstance(TimeProvider time) =>
        new PostgresIncidentStore(_connectionString, time, NullLogger<PostgresIncidentStore>.Instance);

    protected override async Task CreateDatabaseAsync() =>
        (_database, _connectionString) = await server.CreateDatabaseAsync(Ct);

    protected override async Task ClearSummaryColumnsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "UPDATE cerberus.incidents SET summary = NULL, commander = NULL, resolved_at = NULL, drill = NULL, rto_started_at = NULL, next_expiry_at = NULL, reminders_sent = NULL;", connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(_database);
        }
    }
}
