using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Cerberus.ChatOps.Tests.Store;

/// <summary>The host with nothing configured but where its SQLite file goes: it starts, creates the file, and is ready.</summary>
public sealed class StoreHostTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-host-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Readyz_NoConfigurationButTheStoreFile_Answers200WithTheSqliteStore()
    {
        // arrange
        var file = Path.Combine(_directory, "not-yet-created", "cerberus.db");
        await using var factory = new WebApplicationFactory<Program>()
            .WithWebHostBuilder(b => b.UseSetting("Cerberus:Store:ConnectionString", $"Data Source={file}"));
        using var client = factory.CreateClient();

        // act
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // assert
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /readyz answered {(int)response.StatusCode}: {body}");
        Assert.Contains("\"store\"", body, StringComparison.Ordinal);
        Assert.Contains($"SQLite store, schema version {Cerberus.ChatOps.Store.Sqlite.SqliteMigrations.All.Max(m => m.Version)}", body, StringComparison.Ordinal);
        Assert.True(File.Exists(file), "the SQLite file was not created at start");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
