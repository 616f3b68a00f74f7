using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Cerberus.ChatOps.IntegrationTests.Store;

/// <summary>
/// The PostgreSQL server the store tests create their databases on: the lab's standalone server, else a
/// Testcontainers PostgreSQL 15 where a Docker engine is reachable, else a failure saying how to start the lab.
/// </summary>
public sealed class PostgresTestServer : IAsyncLifetime
{
    private PostgreSqlContainer? _container;

    /// <summary>A superuser connection (may create and drop databases).</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (LabEnvironment.IsAvailable)
        {
            AdminConnectionString = LabEnvironment.FromEnvironment().PostgresConnectionString;
            return;
        }

        if (DockerIsReachable())
        {
            _container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await _container.StartAsync();
            AdminConnectionString = _container.GetConnectionString();
            return;
        }

        throw new InvalidOperationException(LabEnvironment.HowToStart);
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>Creates an empty database of its own (cerberus_store_test_...) and returns a connection string to it.</summary>
    public async Task<(string Name, string ConnectionString)> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "cerberus_store_test_" + Guid.NewGuid().ToString("N")[..16];
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync(cancellationToken);
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        return (name, connectionString);
    }

    public async Task DropDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static bool DockerIsReachable() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");
}
