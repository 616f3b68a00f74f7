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

    internal override ICerberusStore CreateStoreInstance(TimeProvider time) =>
        new SqliteIncidentStore($"Data Source={DatabaseFile}", time, NullLogger<SqliteIncidentStore>.Instance);

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

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
