using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>A real audit.logs in the standalone server's cerberus database: seeded on both sides of the 90-day cutoff, and counted.</summary>
internal sealed class AuditLogTable(LabEnvironment lab)
{
    public const int Older = 25_000;
    public const int Newer = 5_000;

    /// <summary>(Re)creates audit.logs: <see cref="Older"/> + 1 rows before the cutoff, <see cref="Newer"/> + 1 at or after it; returns "now".</summary>
    public async Task<DateTimeOffset> SeedAsync(bool index)
    {
        var now = DateTimeOffset.UtcNow;
        var cutoff = now - TimeSpan.FromDays(90);
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            $"""
            CREATE SCHEMA IF NOT EXISTS audit;
            DROP TABLE IF EXISTS audit.logs;
            CREATE TABLE audit.logs (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, payload text NOT NULL);
            INSERT INTO audit.logs (created_at, payload)
              SELECT @cutoff - make_interval(secs => 1 + g * 600), repeat('old', 30) FROM generate_series(1, {Older}) g;
            INSERT INTO audit.logs (created_at, payload) VALUES (@cutoff - interval '1 millisecond', 'just older');
            INSERT INTO audit.logs (created_at, payload) VALUES (@cutoff, 'exactly at the cutoff');
            INSERT INTO audit.logs (created_at, payload)
              SELECT @cutoff + make_interval(secs => g * 600), repeat('new', 30) FROM generate_series(1, {Newer}) g;
            {(index ? "CREATE INDEX logs_created_at ON audit.logs (created_at);" : string.Empty)}
            ANALYZE audit.logs;
            """, connection);
        seed.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        await seed.ExecuteNonQueryAsync();
        return now;
    }

    public async Task<(long Older, long Newer, long[] NewerIds)> CountAsync(DateTimeOffset cutoff)
    {
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE created_at < @c), count(*) FILTER (WHERE created_at >= @c), coalesce(array_agg(id ORDER BY id) FILTER (WHERE created_at >= @c), '{}') FROM audit.logs",
            connection);
        count.Parameters.AddWithValue("c", cutoff.UtcDateTime);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<long[]>(2));
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
