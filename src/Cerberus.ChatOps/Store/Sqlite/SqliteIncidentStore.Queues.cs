using Cerberus.ChatOps.Domain.Ports;
using Microsoft.Data.Sqlite;

namespace Cerberus.ChatOps.Store.Sqlite;

internal sealed partial class SqliteIncidentStore
{
    public async Task EnqueueAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await InsertOutboxAsync(connection, transaction, items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, int maxPerChannel, CancellationToken cancellationToken)
    {
        // "blocked": this item or an earlier one of its channel is not due yet; the later ones wait, so order holds.
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            WITH queued AS (
                SELECT o.*, CASE WHEN o.channel = '' THEN 'incident:' || o.incident_id ELSE o.channel END AS queue
                FROM outbox o WHERE o.status IN ('Pending', 'InFlight')
            ), ranked AS (
                SELECT q.*,
                    row_number() OVER (PARTITION BY q.queue ORDER BY q.seq) AS place,
                    max(CASE WHEN q.next_attempt_at > $now THEN 1 ELSE 0 END)
                        OVER (PARTITION BY q.queue ORDER BY q.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS blocked
                FROM queued q
            )
            SELECT {OutboxReadColumns} FROM ranked
            WHERE blocked = 0 AND place <= $perChannel
            ORDER BY seq LIMIT $max;
            """);
        command.Parameters.AddWithValue("$now", Ticks(now));
        command.Parameters.AddWithValue("$perChannel", Math.Max(0, maxPerChannel));
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
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
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            UPDATE outbox SET claimed_by = $owner, claimed_at = {DbNow}
            WHERE id = $id AND status IN ('Pending', 'InFlight') AND next_attempt_at <= $now
              AND (claimed_by IS NULL OR claimed_by = $owner OR claimed_at <= {DbNow} - $timeout)
            RETURNING {OutboxReadColumns};
            """);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$now", Ticks(now));
        command.Parameters.AddWithValue("$timeout", claimTimeout.Ticks);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutbox(reader) : null;
    }

    public async Task<bool> UpdateClaimedAsync(OutboxItem item, string owner, bool release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);

        // A write under the claim renews it; a release lets the next (due) claimer in.
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            UPDATE outbox
            SET status = $status, attempts = $attempts, next_attempt_at = $next, last_error = $error, result_ts = $ts,
                claimed_by = CASE WHEN $release = 1 THEN NULL ELSE claimed_by END,
                claimed_at = CASE WHEN $release = 1 THEN NULL ELSE {DbNow} END
            WHERE id = $id AND claimed_by = $owner;
            """);
        command.Parameters.AddWithValue("$id", item.Id);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$release", release ? 1 : 0);
        command.Parameters.AddWithValue("$status", item.Status.ToString());
        command.Parameters.AddWithValue("$attempts", item.Attempts);
        command.Parameters.AddWithValue("$next", Ticks(item.NextAttemptAt));
        command.Parameters.AddWithValue("$error", (object?)item.LastError ?? DBNull.Value);
        command.Parameters.AddWithValue("$ts", (object?)item.ResultTs ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task PruneSentAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "DELETE FROM outbox WHERE status = 'Sent' AND created_at < $before;");
        command.Parameters.AddWithValue("$before", Ticks(before));
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        Log.PrunedOutbox(logger, deleted);
    }

    async Task<OutboxItem?> IOutboxStore.GetAsync(string id, CancellationToken cancellationToken) =>
        await GetOutboxAsync(id, cancellationToken);

    public async Task SetMessageRefAsync(string incidentId, string name, string channel, string ts, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            INSERT INTO message_refs (incident_id, name, channel, ts) VALUES ($incident, $name, $channel, $ts)
            ON CONFLICT (incident_id, name) DO UPDATE SET channel = excluded.channel, ts = excluded.ts;
            """);
        command.Parameters.AddWithValue("$incident", incidentId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$channel", channel);
        command.Parameters.AddWithValue("$ts", ts);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(string Channel, string Ts)?> GetMessageRefAsync(string incidentId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT channel, ts FROM message_refs WHERE incident_id = $incident AND name = $name;");
        command.Parameters.AddWithValue("$incident", incidentId);
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Queues the row for the inbox writer and answers once its batch is committed: true when it was new, false
    /// for a key already stored (in an earlier batch or earlier in the same one). A key already committed is
    /// answered by a read first (WAL readers never wait for the writer), so Slack's retries, which come when the
    /// store is slow, do not queue for the write turn; the insert's own <c>ON CONFLICT</c> still decides the rest.
    /// </summary>
    public async Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (await InboxHoldsAsync(item.Key, cancellationToken))
        {
            return false;
        }

        return await InboxWriter().WriteAsync(item, cancellationToken);
    }

    private async Task<bool> InboxHoldsAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT 1 FROM inbox WHERE key = $key;");
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>One transaction for the whole batch; the dedupe is the same <c>ON CONFLICT DO NOTHING</c> per row.</summary>
    private async Task<IReadOnlyList<bool>> AddBatchAsync(IReadOnlyList<InboundItem> items, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(ack: true, cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = Command(connection, transaction, """
            INSERT INTO inbox (key, kind, payload, received_at, done) VALUES ($key, $kind, $payload, $at, $done)
            ON CONFLICT (key) DO NOTHING;
            """);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        var done = command.Parameters.Add("$done", SqliteType.Integer);
        var added = new bool[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            key.Value = items[i].Key;
            kind.Value = items[i].Kind;
            payload.Value = items[i].Payload;
            at.Value = Ticks(items[i].ReceivedAt);
            done.Value = items[i].Done ? 1 : 0;
            added[i] = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }

        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    Task<QueueBacklog> IInboxStore.BacklogAsync(CancellationToken cancellationToken) =>
        BacklogAsync("SELECT count(*), min(received_at) FROM inbox WHERE done = 0;", cancellationToken);

    Task<QueueBacklog> IOutboxStore.BacklogAsync(CancellationToken cancellationToken) =>
        BacklogAsync("SELECT count(*), min(created_at) FROM outbox WHERE status IN ('Pending', 'InFlight');", cancellationToken);

    private async Task<QueueBacklog> BacklogAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueueBacklog(reader.GetInt32(0), reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)))
            : QueueBacklog.Empty;
    }

    public async Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {InboxColumns} FROM inbox WHERE done = 0 ORDER BY seq LIMIT $max;");
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
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
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            UPDATE inbox SET claimed_by = $owner, claimed_at = {DbNow}, attempts = attempts + 1
            WHERE key = $key AND done = 0
              AND (claimed_by IS NULL OR claimed_by = $owner OR claimed_at <= {DbNow} - $timeout)
            RETURNING {InboxColumns};
            """);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$timeout", claimTimeout.Ticks);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadInbound(reader) : null;
    }

    public Task<bool> MarkDoneAsync(string key, string owner, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE inbox SET done = 1, claimed_by = NULL, claimed_at = NULL, last_error = NULL WHERE key = $key AND claimed_by = $owner;",
            key, owner, null, cancellationToken);

    public Task<bool> ReleaseAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE inbox SET claimed_by = NULL, claimed_at = NULL, last_error = $error WHERE key = $key AND claimed_by = $owner;",
            key, owner, reason, cancellationToken);

    public Task<bool> SetAsideAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        FinishClaimAsync(
            "UPDATE inbox SET done = 1, set_aside = 1, claimed_by = NULL, claimed_at = NULL, last_error = $error WHERE key = $key AND claimed_by = $owner;",
            key, owner, reason, cancellationToken);

    public async Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "DELETE FROM inbox WHERE done = 1 AND received_at < $before;");
        command.Parameters.AddWithValue("$before", Ticks(before));
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        Log.Pruned(logger, deleted);
    }

    public async Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            INSERT INTO leases (name, owner, expires_at) VALUES ($name, $owner, {DbNow} + $duration)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE leases.owner = excluded.owner OR leases.expires_at <= {DbNow};
            """);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$duration", duration.Ticks);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task InsertOutboxAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            await using var command = Command(connection, transaction, $"""
                INSERT INTO outbox ({OutboxColumns})
                VALUES ($id, $incident, $kind, $channel, $payload, $ref, $created, $status, $attempts, $next, $error, $ts)
                ON CONFLICT (id) DO NOTHING;
                """);
            command.Parameters.AddWithValue("$id", item.Id);
            command.Parameters.AddWithValue("$incident", item.IncidentId);
            command.Parameters.AddWithValue("$kind", item.Kind);
            command.Parameters.AddWithValue("$channel", item.Channel);
            command.Parameters.AddWithValue("$payload", item.Payload);
            command.Parameters.AddWithValue("$ref", (object?)item.MessageRef ?? DBNull.Value);
            command.Parameters.AddWithValue("$created", Ticks(item.CreatedAt));
            command.Parameters.AddWithValue("$status", item.Status.ToString());
            command.Parameters.AddWithValue("$attempts", item.Attempts);
            command.Parameters.AddWithValue("$next", Ticks(item.NextAttemptAt));
            command.Parameters.AddWithValue("$error", (object?)item.LastError ?? DBNull.Value);
            command.Parameters.AddWithValue("$ts", (object?)item.ResultTs ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static InboundItem ReadInbound(SqliteDataReader reader) => new()
    {
        Key = reader.GetString(0),
        Kind = reader.GetString(1),
        Payload = reader.GetString(2),
        ReceivedAt = FromTicks(reader.GetInt64(3)),
        Done = reader.GetInt64(4) != 0,
        Attempts = reader.GetInt32(5),
        ClaimedBy = reader.IsDBNull(6) ? null : reader.GetString(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        SetAside = reader.GetInt64(8) != 0,
    };

    private static OutboxItem ReadOutbox(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        IncidentId = reader.GetString(1),
        Kind = reader.GetString(2),
        Channel = reader.GetString(3),
        Payload = reader.GetString(4),
        MessageRef = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = FromTicks(reader.GetInt64(6)),
        Status = Enum.Parse<OutboxStatus>(reader.GetString(7)),
        Attempts = reader.GetInt32(8),
        NextAttemptAt = FromTicks(reader.GetInt64(9)),
        LastError = reader.IsDBNull(10) ? null : reader.GetString(10),
        ResultTs = reader.IsDBNull(11) ? null : reader.GetString(11),
        ClaimedBy = reader.IsDBNull(12) ? null : reader.GetString(12),
    };

    private async Task<bool> FinishClaimAsync(string sql, string key, string owner, string? error, CancellationToken cancellationToken)
    {
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$owner", owner);
        if (error is not null)
        {
            command.Parameters.AddWithValue("$error", error);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<OutboxItem?> GetOutboxAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {OutboxReadColumns} FROM outbox WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutbox(reader) : null;
    }
}
