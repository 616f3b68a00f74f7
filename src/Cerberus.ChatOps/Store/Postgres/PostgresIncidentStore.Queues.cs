using Cerberus.ChatOps.Domain.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Store.Postgres;

internal sealed partial class PostgresIncidentStore
{
    public async Task EnqueueAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertOutboxAsync(connection, transaction, items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, int maxPerChannel, CancellationToken cancellationToken)
    {
        // "blocked": this item or an earlier one of its channel is not due yet; the later ones wait, so order holds.
        await using var command = _dataSource.CreateCommand($"""
            WITH queued AS (
                SELECT o.*, CASE WHEN o.channel = '' THEN 'incident:' || o.incident_id ELSE o.channel END AS queue
                FROM cerberus.outbox o WHERE o.status IN ('Pending', 'InFlight')
            ), ranked AS (
                SELECT q.*,
                    row_number() OVER (PARTITION BY q.queue ORDER BY q.seq) AS place,
                    max(CASE WHEN q.next_attempt_at > @now THEN 1 ELSE 0 END)
                        OVER (PARTITION BY q.queue ORDER BY q.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS blocked
                FROM queued q
            )
            SELECT {OutboxReadColumns} FROM ranked
            WHERE blocked = 0 AND place <= @perChannel
            ORDER BY seq LIMIT @max;
            """);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("perChannel", (long)Math.Max(0, maxPerChannel));
        command.Parameters.AddWithValue("max", Math.Max(0, max));
        var list = new List<OutboxItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadOutbox(reader));
        }

        return list;
    }

    public async Task<OutboxItem?> TryClaimAsync(string id, string owner, DateTimeOffset now, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"""
            UPDATE cerberus.outbox SET claimed_by = @owner, claimed_at = now()
            WHERE id = @id AND status IN ('Pending', 'InFlight') AND next_attempt_at <= @now
              AND (claimed_by IS NULL OR claimed_by = @owner OR claimed_at <= now() - @timeout)
            RETURNING {OutboxReadColumns};
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("timeout", claimTimeout);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutbox(reader) : null;
    }

    public async Task<bool> UpdateClaimedAsync(OutboxItem item, string owner, bool release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);

        // A write under the claim renews it; a release lets the next (due) claimer in.
        await using var command = _dataSource.CreateCommand("""
            UPDATE cerberus.outbox
            SET status = @status, attempts = @attempts, next_attempt_at = @next, last_error = @error, result_ts = @ts,
                claimed_by = CASE WHEN @release THEN NULL ELSE claimed_by END,
                claimed_at = CASE WHEN @release THEN NULL ELSE now() END
            WHERE id = @id AND claimed_by = @owner;
            """);
        command.Parameters.AddWithValue("id", item.Id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("release", release);
        command.Parameters.AddWithValue("status", item.Status.ToString());
        command.Parameters.AddWithValue("attempts", item.Attempts);
        command.Parameters.AddWithValue("next", item.NextAttemptAt.ToUniversalTime());
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)item.LastError ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("ts", NpgsqlDbType.Text) { Value = (object?)item.ResultTs ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task PruneSentAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM cerberus.outbox WHERE status = 'Sent' AND created_at < @before;");
        command.Parameters.AddWithValue("before", before.ToUniversalTime());
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        Log.PrunedOutbox(logger, deleted);
    }

    async Task<OutboxItem?> IOutboxStore.GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {OutboxReadColumns} FROM cerberus.outbox WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutbox(reader) : null;
    }

    public async Task SetMessageRefAsync(string incidentId, string name, string channel, string ts, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO cerberus.message_refs (incident_id, name, channel, ts) VALUES (@incident, @name, @channel, @ts)
            ON CONFLICT (incident_id, name) DO UPDATE SET channel = EXCLUDED.channel, ts = EXCLUDED.ts;
            """);
        command.Parameters.AddWithValue("incident", incidentId);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("ts", ts);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(string Channel, string Ts)?> GetMessageRefAsync(string incidentId, string name, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT channel, ts FROM cerberus.message_refs WHERE incident_id = @incident AND name = @name;");
        command.Parameters.AddWithValue("incident", incidentId);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Queues the row for the inbox writer and answers once its batch is committed: true when it was new, false
    /// for a key already stored (in an earlier batch, by another replica, or earlier in the same batch).
    /// </summary>
    public Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return InboxWriter().WriteAsync(item, cancellationToken);
    }

    /// <summary>
    /// The whole batch in one statement, one round trip and one commit, on one pooled connection: a burst of
    /// requests never takes a connection each. Rows go in arrival order (<c>seq</c>); the dedupe is the primary
    /// key's <c>ON CONFLICT DO NOTHING</c>, and <c>RETURNING</c> names the keys that were new.
    /// </summary>
    private async Task<IReadOnlyList<bool>> AddBatchAsync(IReadOnlyList<InboundItem> items, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO cerberus.inbox (key, kind, payload, received_at, done)
            SELECT key, kind, payload, received_at, done
            FROM unnest(@keys, @kinds, @payloads, @ats, @dones) WITH ORDINALITY AS r(key, kind, payload, received_at, done, place)
            ORDER BY place
            ON CONFLICT (key) DO NOTHING
            RETURNING key;
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. items.Select(i => i.Key)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. items.Select(i => i.Kind)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. items.Select(i => i.Payload)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. items.Select(i => i.ReceivedAt.UtcDateTime)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]>("dones", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { TypedValue = [.. items.Select(i => i.Done)] });
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        // A key twice in one batch is inserted once: the first of them is the new one.
        return [.. items.Select(i => inserted.Remove(i.Key))];
    }

    Task<QueueBacklog> IInboxStore.BacklogAsync(CancellationToken cancellationToken) =>
        BacklogAsync("SELECT count(*), min(received_at) FROM cerberus.inbox WHERE NOT done;", cancellationToken);

    Task<QueueBacklog> IOutboxStore.BacklogAsync(CancellationToken cancellationToken) =>
        BacklogAsync("SELECT count(*), min(created_at) FROM cerberus.outbox WHERE status IN ('Pending', 'InFlight');", cancellationToken);

    private async Task<QueueBacklog> BacklogAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueueBacklog((int)reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1))
            : QueueBacklog.Empty;
    }

    public async Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {InboxColumns} FROM cerberus.inbox WHERE NOT done ORDER BY seq LIMIT @max;");
        command.Parameters.AddWithValue("max", Math.Max(0, max));
        var list = new List<InboundItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadInbound(reader));
        }

        return list;
    }

    public async Task<InboundItem?> TryClaimAsync(string key, string owner, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"""
            UPDATE cerberus.inbox SET claimed_by = @owner, claimed_at = now(), attempts = attempts + 1
            WHERE key = @key AND NOT done
              AND (claimed_by IS NULL OR claimed_by = @owner OR claimed_at <= now() - @timeout)
            RETURNING {InboxColumns};
            """);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("timeout", claimTimeout);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadInbound(reader) : null;
    }

    public Task<bool> MarkDoneAsync(string key, string owner, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE cerberus.inbox SET done = true, claimed_by = NULL, claimed_at = NULL, last_error = NULL WHERE key = @key AND claimed_by = @owner;",
            key, owner, null, cancellationToken);

    public Task<bool> ReleaseAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE cerberus.inbox SET claimed_by = NULL, claimed_at = NULL, last_error = @error WHERE key = @key AND claimed_by = @owner;",
            key, owner, reason, cancellationToken);

    public Task<bool> SetAsideAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE cerberus.inbox SET done = true, set_aside = true, claimed_by = NULL, claimed_at = NULL, last_error = @error WHERE key = @key AND claimed_by = @owner;",
            key, owner, reason, cancellationToken);

    public async Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM cerberus.inbox WHERE done AND received_at < @before;");
        command.Parameters.AddWithValue("before", before.ToUniversalTime());
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        Log.Pruned(logger, deleted);
    }

    public async Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO cerberus.leases AS l (name, owner, expires_at) VALUES (@name, @owner, now() + @duration)
            ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
            WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now();
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("duration", duration);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task InsertOutboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            await using var command = Command(connection, transaction, $"""
                INSERT INTO cerberus.outbox ({OutboxColumns})
                VALUES (@id, @incident, @kind, @channel, @payload, @ref, @created, @status, @attempts, @next, @error, @ts)
                ON CONFLICT (id) DO NOTHING;
                """);
            command.Parameters.AddWithValue("id", item.Id);
            command.Parameters.AddWithValue("incident", item.IncidentId);
            command.Parameters.AddWithValue("kind", item.Kind);
            command.Parameters.AddWithValue("channel", item.Channel);
            command.Parameters.AddWithValue("payload", item.Payload);
            command.Parameters.Add(new NpgsqlParameter("ref", NpgsqlDbType.Text) { Value = (object?)item.MessageRef ?? DBNull.Value });
            command.Parameters.AddWithValue("created", item.CreatedAt.ToUniversalTime());
            command.Parameters.AddWithValue("status", item.Status.ToString());
            command.Parameters.AddWithValue("attempts", item.Attempts);
            command.Parameters.AddWithValue("next", item.NextAttemptAt.ToUniversalTime());
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)item.LastError ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("ts", NpgsqlDbType.Text) { Value = (object?)item.ResultTs ?? DBNull.Value });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static InboundItem ReadInbound(NpgsqlDataReader reader) => new()
    {
        Key = reader.GetString(0),
        Kind = reader.GetString(1),
        Payload = reader.GetString(2),
        ReceivedAt = reader.GetFieldValue<DateTimeOffset>(3),
        Done = reader.GetBoolean(4),
        Attempts = reader.GetInt32(5),
        ClaimedBy = reader.IsDBNull(6) ? null : reader.GetString(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        SetAside = reader.GetBoolean(8),
    };

    private static OutboxItem ReadOutbox(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        IncidentId = reader.GetString(1),
        Kind = reader.GetString(2),
        Channel = reader.GetString(3),
        Payload = reader.GetString(4),
        MessageRef = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
        Status = Enum.Parse<OutboxStatus>(reader.GetString(7)),
        Attempts = reader.GetInt32(8),
        NextAttemptAt = reader.GetFieldValue<DateTimeOffset>(9),
        LastError = reader.IsDBNull(10) ? null : reader.GetString(10),
        ResultTs = reader.IsDBNull(11) ? null : reader.GetString(11),
        ClaimedBy = reader.IsDBNull(12) ? null : reader.GetString(12),
    };

    private async Task<bool> FinishClaimAsync(string sql, string key, string owner, string? error, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("owner", owner);
        if (error is not null)
        {
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = error });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
