namespace Cerberus.ChatOps.Store.Sqlite;

/// <summary>
/// The SQLite schema, step by step. Times are UTC ticks (INTEGER, to the microsecond like PostgreSQL's): comparable in SQL. Every table keeps
/// an INTEGER sequence so that "oldest first" is the order of arrival, stable across equal timestamps.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<StoreMigration> All { get; } =
    [
        new(1, "incidents, id counters, inbox, outbox, message refs, leases", """
            CREATE TABLE incidents (
                id             TEXT    NOT NULL PRIMARY KEY,
                channel        TEXT    NOT NULL,
                origin_channel TEXT    NOT NULL,
                state          TEXT    NOT NULL,
                is_open        INTEGER NOT NULL,
                declared_at    INTEGER NOT NULL,
                version        INTEGER NOT NULL,
                document       TEXT    NOT NULL,
                updated_at     INTEGER NOT NULL
            );
            CREATE INDEX incidents_open_channel_ix ON incidents (channel) WHERE is_open = 1;
            CREATE INDEX incidents_open_origin_ix ON incidents (origin_channel) WHERE is_open = 1;
            CREATE INDEX incidents_declared_ix ON incidents (declared_at DESC, id DESC);

            CREATE TABLE incident_counters (
                year        INTEGER NOT NULL PRIMARY KEY,
                last_number INTEGER NOT NULL
            );

            CREATE TABLE inbox (
                seq         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                key         TEXT    NOT NULL UNIQUE,
                kind        TEXT    NOT NULL,
                payload     TEXT    NOT NULL,
                received_at INTEGER NOT NULL,
                done        INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX inbox_pending_ix ON inbox (done, seq);

            CREATE TABLE outbox (
                seq             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                id              TEXT    NOT NULL UNIQUE,
                incident_id     TEXT    NOT NULL,
                kind            TEXT    NOT NULL,
                channel         TEXT    NOT NULL,
                payload         TEXT    NOT NULL,
                message_ref     TEXT,
                created_at      INTEGER NOT NULL,
                status          TEXT    NOT NULL CHECK (status IN ('Pending', 'InFlight', 'Sent', 'Dead')),
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error      TEXT,
                result_ts       TEXT
            );
            CREATE INDEX outbox_due_ix ON outbox (status, next_attempt_at, seq);

            CREATE TABLE message_refs (
                incident_id TEXT NOT NULL,
                name        TEXT NOT NULL,
                channel     TEXT NOT NULL,
                ts          TEXT NOT NULL,
                PRIMARY KEY (incident_id, name)
            );

            CREATE TABLE leases (
                name       TEXT    NOT NULL PRIMARY KEY,
                owner      TEXT    NOT NULL,
                expires_at INTEGER NOT NULL
            );
            """),
        new(2, "claims on inbox and outbox items, inbox attempts, sent outbox pruning", """
            ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE inbox ADD COLUMN claimed_by TEXT;
            ALTER TABLE inbox ADD COLUMN claimed_at INTEGER;
            ALTER TABLE inbox ADD COLUMN last_error TEXT;
            ALTER TABLE inbox ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX inbox_done_ix ON inbox (received_at) WHERE done = 1;

            ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
            ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;
            CREATE INDEX outbox_sent_ix ON outbox (created_at) WHERE status = 'Sent';
            """),
        new(3, "incident summary and timer columns (lists and timers read no documents)", """
            ALTER TABLE incidents ADD COLUMN summary TEXT;
            ALTER TABLE incidents ADD COLUMN commander TEXT;
            ALTER TABLE incidents ADD COLUMN resolved_at INTEGER;
            ALTER TABLE incidents ADD COLUMN drill INTEGER;
            ALTER TABLE incidents ADD COLUMN rto_started_at INTEGER;
            ALTER TABLE incidents ADD COLUMN next_expiry_at INTEGER;
            ALTER TABLE incidents ADD COLUMN reminders_sent TEXT;
            CREATE INDEX incidents_open_declared_ix ON incidents (declared_at, id) WHERE is_open = 1;
            """),
    ];
}
