namespace Cerberus.ChatOps.Store.Postgres;

/// <summary>
/// The PostgreSQL schema (in the dedicated schema <c>cerberus</c>), step by step. Incidents are a json document beside
/// the indexed columns (json, not jsonb: the document comes back exactly as written, dictionary order included); every
/// queue keeps an identity sequence so that "oldest first" is stable.
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<StoreMigration> All { get; } =
    [
        new(1, "incidents, id counters, inbox, outbox, message refs, leases", """
            CREATE TABLE cerberus.incidents (
                id             text        NOT NULL PRIMARY KEY,
                channel        text        NOT NULL,
                origin_channel text        NOT NULL,
                state          text        NOT NULL,
                is_open        boolean     NOT NULL,
                declared_at    timestamptz NOT NULL,
                version        bigint      NOT NULL,
                document       json        NOT NULL,
                updated_at     timestamptz NOT NULL
            );
            CREATE INDEX incidents_open_channel_ix ON cerberus.incidents (channel) WHERE is_open;
            CREATE INDEX incidents_open_origin_ix ON cerberus.incidents (origin_channel) WHERE is_open;
            CREATE INDEX incidents_declared_ix ON cerberus.incidents (declared_at DESC, id DESC);

            CREATE TABLE cerberus.incident_counters (
                year        integer NOT NULL PRIMARY KEY,
                last_number integer NOT NULL
            );

            CREATE TABLE cerberus.inbox (
                seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
                key         text        NOT NULL PRIMARY KEY,
                kind        text        NOT NULL,
                payload     text        NOT NULL,
                received_at timestamptz NOT NULL,
                done        boolean     NOT NULL DEFAULT false
            );
            CREATE INDEX inbox_pending_ix ON cerberus.inbox (seq) WHERE NOT done;
            CREATE INDEX inbox_done_ix ON cerberus.inbox (received_at) WHERE done;

            CREATE TABLE cerberus.outbox (
                seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
                id              text        NOT NULL PRIMARY KEY,
                incident_id     text        NOT NULL,
                kind            text        NOT NULL,
                channel         text        NOT NULL,
                payload         text        NOT NULL,
                message_ref     text,
                created_at      timestamptz NOT NULL,
                status          text        NOT NULL CHECK (status IN ('Pending', 'InFlight', 'Sent', 'Dead')),
                attempts        integer     NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                last_error      text,
                result_ts       text
            );
            CREATE INDEX outbox_due_ix ON cerberus.outbox (seq) WHERE status IN ('Pending', 'InFlight');

            CREATE TABLE cerberus.message_refs (
                incident_id text NOT NULL,
                name        text NOT NULL,
                channel     text NOT NULL,
                ts          text NOT NULL,
                PRIMARY KEY (incident_id, name)
            );

            CREATE TABLE cerberus.leases (
                name       text        NOT NULL PRIMARY KEY,
                owner      text        NOT NULL,
                expires_at timestamptz NOT NULL
            );
            """),
        new(2, "claims on inbox and outbox items, inbox attempts, sent outbox pruning", """
            ALTER TABLE cerberus.inbox
                ADD COLUMN attempts   integer     NOT NULL DEFAULT 0,
                ADD COLUMN claimed_by text,
                ADD COLUMN claimed_at timestamptz,
                ADD COLUMN last_error text,
                ADD COLUMN set_aside  boolean     NOT NULL DEFAULT false;

            ALTER TABLE cerberus.outbox
                ADD COLUMN claimed_by text,
                ADD COLUMN claimed_at timestamptz;
            CREATE INDEX outbox_sent_ix ON cerberus.outbox (created_at) WHERE status = 'Sent';
            """),
        new(3, "incident summary and timer columns (lists and timers read no documents)", """
            ALTER TABLE cerberus.incidents
                ADD COLUMN summary        text,
                ADD COLUMN commander      text,
                ADD COLUMN resolved_at    timestamptz,
                ADD COLUMN drill          boolean,
                ADD COLUMN rto_started_at timestamptz,
                ADD COLUMN next_expiry_at timestamptz,
                ADD COLUMN reminders_sent text;
            CREATE INDEX incidents_open_declared_ix ON cerberus.incidents (declared_at, id) WHERE is_open;
            """),
    ];
}
