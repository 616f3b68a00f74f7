using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Replication as seen from the primary: pg_stat_replication byte lags (unsent, unflushed = data at risk,
/// unreplayed) beside the interval lags (NULL when idle is not broken), replication slots with the WAL they retain,
/// and the archiver (failing now, .ready backlog). On a standby it says so and reports the receiving side.
/// </summary>
internal sealed class ReplicationProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time)
    : PostgresProbe(connections, primary, time)
{
    private const string StandbysSql =
        """
        SELECT coalesce(application_name, ''), coalesce(host(client_addr), 'local'), coalesce(state, '?'), coalesce(sync_state, '?'),
               pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)::int8   AS unsent_bytes,
               pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::int8  AS unflushed_bytes,
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8 AS unreplayed_bytes,
               extract(epoch FROM write_lag)::float8, extract(epoch FROM flush_lag)::float8, extract(epoch FROM replay_lag)::float8,
               extract(epoch FROM now() - reply_time)::float8 AS feedback_age
        FROM pg_stat_replication ORDER BY 1
        """;

    private const string SlotsSql =
        """
        SELECT slot_name::text, slot_type, active, coalesce(wal_status, '?'), safe_wal_size,
               pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8 AS retained_bytes
        FROM pg_replication_slots ORDER BY 1
        """;

    private const string ArchiverSql =
        """
        SELECT current_setting('archive_mode'), archived_count, last_archived_wal, last_archived_time,
               failed_count, last_failed_wal, last_failed_time,
               (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready')::int8,
               (SELECT min(modification) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready')
        FROM pg_stat_archiver
        """;

    private const string StandbySideSql =
        """
        SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::int8,
               pg_last_xact_replay_timestamp(), pg_get_wal_replay_pause_state(),
               r.status, r.sender_host, r.sender_port, extract(epoch FROM now() - r.last_msg_receipt_time)::float8
        FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver r ON true
        """;

    public override string Name => ProbeNames.Replication;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var inRecovery = (await QueryAsync(connection, "SELECT pg_is_in_recovery()", r => r.GetBoolean(0), cancellationToken))[0];
        findings.Fact(DiagnosisFactKeys.InRecovery, inRecovery);
        if (inRecovery)
        {
            return await ExamineStandbyAsync(connection, findings, cancellationToken);
        }

        var standbys = await ExamineStandbysAsync(connection, context, findings, cancellationToken);
        var slots = await ExamineSlotsAsync(connection, findings, cancellationToken);
        var archiver = await ExamineArchiverAsync(connection, findings, cancellationToken);
        return $"primary: {standbys}; {slots}; {archiver}";
    }

    private async Task<string> ExamineStandbysAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, StandbysSql, r => new
        {
            Name = r.GetString(0),
            Client = r.GetString(1),
            State = r.GetString(2),
            Sync = r.GetString(3),
            Unsent = NullableLong(r, 4) ?? 0,
            Unflushed = NullableLong(r, 5) ?? 0,
            Unreplayed = NullableLong(r, 6) ?? 0,
            WriteLag = NullableDouble(r, 7),
            FlushLag = NullableDouble(r, 8),
            ReplayLag = NullableDouble(r, 9),
            FeedbackAge = NullableDouble(r, 10),
        }, cancellationToken);

        var streaming = rows.Count(r => r.State == "streaming");
        findings.Fact(FactKeys.ReplicationStreaming, streaming);
        findings.Fact(DiagnosisFactKeys.ReplicasNotStreaming, rows.Count - streaming);
        findings.Fact(FactKeys.MaxUnflushedBytes, rows.Count == 0 ? 0 : rows.Max(r => r.Unflushed));
        foreach (var r in rows)
        {
            findings.Detail($"standby {r.Name} from {r.Client}: {r.State}/{r.Sync}, unsent {ByteSize.Format(r.Unsent)}, unflushed {ByteSize.Format(r.Unflushed)}, unreplayed {ByteSize.Format(r.Unreplayed)}; write/flush/replay lag {Lag(r.WriteLag)}/{Lag(r.FlushLag)}/{Lag(r.ReplayLag)}; feedback {Lag(r.FeedbackAge)} old");
            if (r.State != "streaming")
            {
                findings.Problem(ProbeStatus.Crit, $"standby {r.Name} is {r.State}, not streaming");
            }

            if (r.Unflushed > Options.FailoverLagBytes)
            {
                findings.Problem(ProbeStatus.Warn, $"standby {r.Name} has {ByteSize.Format(r.Unflushed)} unflushed (data at risk, RPO: lost if the primary dies now), above maximum_lag_on_failover ({ByteSize.Format(Options.FailoverLagBytes)}): automatic failover to it would be refused");
            }
            else if (r.Unreplayed > Options.ReplicaLagWarnBytes)
            {
                findings.Problem(ProbeStatus.Warn, $"standby {r.Name} is {ByteSize.Format(r.Unreplayed)} behind in replay");
            }

            // replay_lag is read staleness and promotion time (RTO): the standby must replay it before it can be
            // promoted. Data at risk (RPO) is the unflushed bytes above.
            if (r.ReplayLag is { } replay && replay > Options.ReplayLagCrit.TotalSeconds)
            {
                findings.Problem(ProbeStatus.Crit, $"standby {r.Name} replays {Durations.Format(replay)} behind: promoting it would take at least that long (RTO), and reads from it are that stale");
            }

            if (r.FeedbackAge is > 30)
            {
                findings.Problem(ProbeStatus.Warn, $"standby {r.Name} has not sent feedback for {Durations.Format(r.FeedbackAge.Value)}");
            }
        }

        var missing = MissingStandbys(context, rows.Select(r => r.Name));
        if (missing.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.MissingStandbys, string.Join(", ", missing));
            findings.Problem(ProbeStatus.Crit,
                $"Patroni lists {string.Join(", ", missing)} but pg_stat_replication on the leader has no connection from {(missing.Count == 1 ? "it" : "them")}: the WAL receiver is stopped or cannot connect (pg_hba, replication password, lost slot)");
        }

        return rows.Count == 0 ? "no standby connected" : $"{streaming} of {rows.Count} standby(s) streaming";
    }

    /// <summary>
    /// Replicas in Patroni's /cluster without a pg_stat_replication row on the leader. Patroni 3.0.2 sets each
    /// replica's <c>application_name</c> to its member name in <c>primary_conninfo</c>; only judged on Patroni's leader,
    /// and a cascading replica (tag <c>replicatefrom</c>) streams from another replica, so it is not expected here.
    /// </summary>
    internal static List<string> MissingStandbys(PostgresProbeContext context, IEnumerable<string> applicationNames)
    {
        if (!context.OnLeader)
        {
            return [];
        }

        var connected = applicationNames.ToHashSet(StringComparer.Ordinal);
        return context.Resolution.Members
            .Where(m => !m.IsLeader && !connected.Contains(m.Name) && m.Tags?.ContainsKey("replicatefrom") != true)
            .Select(m => $"{m.Name} ({(string.IsNullOrEmpty(m.State) ? "?" : m.State)} in Patroni)")
            .ToList();
    }

    private async Task<string> ExamineSlotsAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var slots = await QueryAsync(connection, SlotsSql, r => new
        {
            Name = r.GetString(0),
            Type = r.GetString(1),
            Active = r.GetBoolean(2),
            WalStatus = r.GetString(3),
            SafeWalSize = NullableLong(r, 4),
            Retained = NullableLong(r, 5) ?? 0,
        }, cancellationToken);

        var inactive = slots.Where(s => !s.Active).ToList();
        var lost = slots.Where(s => s.WalStatus is "lost" or "unreserved").ToList();
        findings.Fact(FactKeys.InactiveSlots, inactive.Count);
        findings.Fact(DiagnosisFactKeys.LostSlots, lost.Count);
        findings.Fact(FactKeys.SlotRetainedBytes, inactive.Count > 0 ? inactive.Sum(s => s.Retained) : slots.Select(s => s.Retained).DefaultIfEmpty(0).Max());
        if (inactive.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.InactiveSlotNames, string.Join(",", inactive.Select(s => s.Name)));
        }

        if (slots.Where(s => s.WalStatus == "lost").Select(s => s.Name).ToList() is { Count: > 0 } gone)
        {
            findings.Fact(DiagnosisFactKeys.LostSlotNames, string.Join(",", gone));
        }

        foreach (var s in slots)
        {
            findings.Detail($"slot {s.Name} ({s.Type}): {(s.Active ? "active" : "INACTIVE")}, wal_status {s.WalStatus}, retains {ByteSize.Format(s.Retained)}{(s.SafeWalSize is { } safe ? $", {ByteSize.Format(safe)} until it is lost" : string.Empty)}");
            if (s.WalStatus is "lost" or "unreserved")
            {
                findings.Problem(ProbeStatus.Crit, $"slot {s.Name} is {s.WalStatus}: its standby can no longer catch up from WAL");
            }
            else if (!s.Active)
            {
                findings.Problem(s.Retained > Options.SlotRetainedCritBytes ? ProbeStatus.Crit : ProbeStatus.Warn,
                    $"slot {s.Name} is inactive and retains {ByteSize.Format(s.Retained)} of WAL");
            }
            else if (s.WalStatus == "extended")
            {
                findings.Problem(ProbeStatus.Warn, $"slot {s.Name} retains WAL beyond max_wal_size ({ByteSize.Format(s.Retained)})");
            }
        }

        return slots.Count == 0 ? "no replication slots" : $"{slots.Count} slot(s), {inactive.Count} inactive";
    }

    private async Task<string> ExamineArchiverAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var a = (await QueryAsync(connection, ArchiverSql, r => new
        {
            Mode = r.GetString(0),
            Archived = r.GetInt64(1),
            LastArchivedWal = NullableString(r, 2),
            LastArchivedTime = NullableTime(r, 3),
            Failed = r.GetInt64(4),
            LastFailedWal = NullableString(r, 5),
            LastFailedTime = NullableTime(r, 6),
            Ready = r.GetInt64(7),
            OldestReady = NullableTime(r, 8),
        }, cancellationToken))[0];

        var failing = a.LastFailedTime is { } failedAt && (a.LastArchivedTime is null || failedAt > a.LastArchivedTime);
        findings.Fact(FactKeys.ArchiverFailing, failing);
        findings.Fact(FactKeys.ArchiveReadyCount, a.Ready);
        findings.Detail($"archiver: archive_mode {a.Mode}, {a.Archived} archived (last {a.LastArchivedWal ?? "none"} at {At(a.LastArchivedTime)}), {a.Failed} failed (last {a.LastFailedWal ?? "none"} at {At(a.LastFailedTime)}), {a.Ready} .ready");
        findings.Fact(DiagnosisFactKeys.ArchiveMode, a.Mode);
        if (a.Mode == "off")
        {
            findings.Problem(ProbeStatus.Warn, "archive_mode is off: there is no WAL archive, so no point-in-time recovery; the RPO rests on the replicas alone");
            return "archiving off";
        }

        if (failing)
        {
            findings.Problem(ProbeStatus.Crit, $"the archiver is failing: {a.LastFailedWal} failed at {At(a.LastFailedTime)}, {a.Ready} segment(s) wait as .ready and pg_wal grows");
            findings.Since(a.OldestReady ?? a.LastFailedTime);
        }
        else if (a.Ready > Options.ArchiveReadyWarn)
        {
            findings.Problem(ProbeStatus.Warn, $"{a.Ready} WAL segments wait for the archiver (.ready)");
            findings.Since(a.OldestReady);
        }

        return failing ? "archiver failing" : $"archiver ok ({a.Ready} .ready)";
    }

    private static async Task<string> ExamineStandbyAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var s = (await QueryAsync(connection, StandbySideSql, r => new
        {
            ReplayBehind = NullableLong(r, 0),
            LastReplay = NullableTime(r, 1),
            PauseState = NullableString(r, 2),
            Status = NullableString(r, 3),
            SenderHost = NullableString(r, 4),
            SenderPort = r.IsDBNull(5) ? (int?)null : r.GetInt32(5),
            LastMessage = NullableDouble(r, 6),
        }, cancellationToken))[0];

        var receiver = s.Status ?? "none";
        findings.Fact(DiagnosisFactKeys.WalReceiverStatus, receiver);
        findings.Detail($"standby: WAL receiver {receiver}{(s.SenderHost is null ? string.Empty : $" from {s.SenderHost}:{s.SenderPort}")}, last message {Lag(s.LastMessage)} ago, received-not-replayed {ByteSize.Format(s.ReplayBehind ?? 0)}, replay {s.PauseState ?? "?"}, last replayed transaction at {At(s.LastReplay)}");
        if (s.Status != "streaming")
        {
            findings.Problem(ProbeStatus.Crit, $"this server is a standby and its WAL receiver is {receiver}: it does not stream from the primary");
        }
        else if (s.LastMessage is > 30)
        {
            findings.Problem(ProbeStatus.Warn, $"this standby heard from its primary {Durations.Format(s.LastMessage.Value)} ago");
        }

        if (s.PauseState is "paused" or "pause requested")
        {
            findings.Problem(ProbeStatus.Warn, "WAL replay is paused on this standby");
        }

        return $"this server is a standby (pg_stat_replication is read on the primary): WAL receiver {receiver}, {ByteSize.Format(s.ReplayBehind ?? 0)} received but not replayed";
    }

    private static string Lag(double? seconds) => seconds is { } s ? Durations.Format(s) : "n/a";

    private static string At(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never";
}
