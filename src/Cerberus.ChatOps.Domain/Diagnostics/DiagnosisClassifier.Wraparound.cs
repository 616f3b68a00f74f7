using Cerberus.ChatOps.Domain.Actions;
using static Cerberus.ChatOps.Domain.Diagnostics.WraparoundFactKeys;

namespace Cerberus.ChatOps.Domain.Diagnostics;

public static partial class DiagnosisClassifier
{
    /// <summary>Log signature: PostgreSQL refuses commands that assign an XID (the stop limit).</summary>
    public const string XidStopSignature = "xid_wraparound_stop";

    /// <summary>Log signature: "database ... must be vacuumed within N transactions" (the warn limit).</summary>
    public const string XidWarnSignature = "xid_wraparound_warning";

    /// <summary>Log signature: PostgreSQL refuses commands that generate new MultiXactIds (their stop limit).</summary>
    public const string MultixactStopSignature = "mxid_wraparound_stop";

    /// <summary>Log signature: "database ... must be vacuumed before N more MultiXactIds are used" (their warn limit).</summary>
    public const string MultixactWarnSignature = "mxid_wraparound_warning";

    /// <summary>
    /// Transaction-ID wraparound. <paramref name="urgent"/> selects the stage: the server warns or refuses XIDs (or
    /// VACUUM's failsafe age is reached) ranks right after an unresponsive primary; a database merely older than
    /// the threshold ranks after the other branches. What holds the xmin horizon is removed first (no VACUUM freezes
    /// past it), then the oldest tables are frozen; single-user mode is never the bot's.
    /// </summary>
    private static DiagnosisVerdict? Wraparound(DiagnosisSignals s, bool urgent)
    {
        var probe = s.Considered.FirstOrDefault(r => string.Equals(r.Probe, ProbeNames.Wraparound, StringComparison.Ordinal));
        var stage = DiagnosisSignals.Text(probe, Stage) ?? "ok";
        var stopLogged = s.Signatures.Contains(XidStopSignature);
        var warnLogged = s.Signatures.Contains(XidWarnSignature);
        var mxStopLogged = s.Signatures.Contains(MultixactStopSignature);
        var mxWarnLogged = s.Signatures.Contains(MultixactWarnSignature);
        stopLogged |= mxStopLogged;
        warnLogged |= mxWarnLogged;
        var stopped = stage == "stop_limit" || stopLogged;
        var imminent = stopped || warnLogged || stage is "warn_limit" or "failsafe";
        if ((!imminent && stage != "over_threshold") || imminent != urgent)
        {
            return null;
        }

        var evidence = new List<string>();
        if (DiagnosisSignals.Number(probe, MaxAge) is { } age)
        {
            var oldest = DiagnosisSignals.Text(probe, OldestDatabase) ?? "(unknown)";
            var threshold = DiagnosisSignals.Number(probe, Threshold) is { } t ? XidWraparound.Count((long)t) : "unknown";
            var left = XidWraparound.LeftBeforeStop((long)age);
            evidence.Add($"database {oldest} is {XidWraparound.Count((long)age)} transactions old (age(datfrozenxid), threshold {threshold}), and " +
                         (left > 0
                             ? $"PostgreSQL 15 stops assigning transaction IDs at {XidWraparound.Count(XidWraparound.StopAge)}, {XidWraparound.Count(left)} from now"
                             : $"past PostgreSQL 15's stop limit {XidWraparound.Count(XidWraparound.StopAge)}: every command that needs a transaction ID fails (reads still work)"));
        }

        if (DiagnosisSignals.Text(probe, MultixactStage) is { } mxStage && mxStage != "ok" && DiagnosisSignals.Number(probe, MultixactMaxAge) is { } mxAge)
        {
            var mxOldest = DiagnosisSignals.Text(probe, MultixactOldestDatabase) ?? "(unknown)";
            var mxThreshold = DiagnosisSignals.Number(probe, MultixactThreshold) is { } mt ? XidWraparound.Count((long)mt) : "unknown";
            var mxLeft = XidWraparound.LeftBeforeStop((long)mxAge);
            evidence.Add($"database {mxOldest} is {XidWraparound.Count((long)mxAge)} MultiXactIds old (mxid_age(datminmxid), threshold {mxThreshold}), and " +
                         (mxLeft > 0
                             ? $"PostgreSQL stops assigning MultiXactIds {XidWraparound.Count(mxLeft)} from now"
                             : "past the MultiXactId stop limit: every command that needs a new MultiXactId (shared row locks, foreign-key checks) fails"));
        }

        if (stopLogged)
        {
            evidence.Add(mxStopLogged
                ? "the PostgreSQL log shows \"database is not accepting commands that generate new MultiXactIds to avoid wraparound data loss\""
                : "the PostgreSQL log shows \"database is not accepting commands to avoid wraparound data loss\"");
        }
        else if (warnLogged)
        {
            evidence.Add(mxWarnLogged
                ? "the PostgreSQL log shows \"must be vacuumed before N more MultiXactIds are used\""
                : "the PostgreSQL log shows \"must be vacuumed within N transactions\"");
        }

        var steps = new List<string>();
        var recommended = new List<RemediationKind>();
        if (DiagnosisSignals.Text(probe, Holder) is { Length: > 0 } holder)
        {
            var kind = DiagnosisSignals.Text(probe, HolderKind);
            var name = DiagnosisSignals.Text(probe, HolderName) ?? "(unnamed)";
            var inactiveSlot = DiagnosisSignals.Flag(probe, HolderSlotInactive);
            var advice = kind switch
            {
                "prepared" => $"COMMIT PREPARED or ROLLBACK PREPARED '{name}' by hand, as its transaction manager decides (the bot never resolves a prepared transaction)",
                "session" => $"end session {name} (pg_terminate_backend({name})) once its owner agrees",
                "slot" when inactiveSlot => $"drop the inactive slot {name} (`/dbincident propose drop-slot {name}`) once its consumer is known to be gone",
                "slot" => $"slot {name} is active: its consumer (a standby with hot_standby_feedback, or a logical decoding client) holds the horizon; fix or stop that consumer",
                _ => "remove it",
            };
            steps.Add($"first remove what holds the xmin horizon, {holder}{(DiagnosisSignals.Number(probe, Holders) is > 1 and var n ? $" (and {n - 1:0} more)" : string.Empty)}: no VACUUM can freeze past it, so {advice}");
            if (kind == "slot" && inactiveSlot && DiagnosisSignals.Number(probe, InactiveSlots) == 1)
            {
                recommended.Add(RemediationKind.DropReplicationSlot);
            }
        }

        var tables = FactList.Split(DiagnosisSignals.Text(probe, OldTables)).Select(TableAge).ToList();
        var database = DiagnosisSignals.Text(probe, Database);
        var oldestDatabase = DiagnosisSignals.Text(probe, OldestDatabase);
        if (tables.Count > 0)
        {
            steps.Add($"{(steps.Count > 0 ? "then " : string.Empty)}VACUUM (FREEZE) the oldest tables of {database}: {string.Join(", ", tables)}");
        }

        if (oldestDatabase is not null && database is not null && !string.Equals(oldestDatabase, database, StringComparison.Ordinal))
        {
            steps.Add($"database {oldestDatabase} is older than {database}, whose tables are the only ones the bot sees: run vacuumdb --freeze -d {oldestDatabase} there by hand");
        }

        if (probe is null || probe.Status == ProbeStatus.Unknown || tables.Count > 0)
        {
            recommended.Add(RemediationKind.VacuumFreeze);
        }

        if (imminent)
        {
            steps.Add("the bot never uses single-user mode (PostgreSQL 15's hint at the stop limit): a VACUUM in normal mode needs no transaction ID when it does not truncate, and stopping the postmaster for single-user mode is the operator's decision, made by hand");
        }

        var sentence = "Transaction-ID wraparound: " + string.Join(", ", evidence.DefaultIfEmpty("the wraparound probe reports it")) +
                       (steps.Count > 0 ? "; " + string.Join("; ", steps) : string.Empty) + ".";
        return new(Classification.TransactionIdWraparound, sentence, recommended);
    }

    /// <summary>"public.t:3012:40" as "public.t (age 3,012, MultiXactId age 40)"; the older "public.t:3012" as "public.t (age 3,012)".</summary>
    private static string TableAge(string entry)
    {
        var colon = entry.LastIndexOf(':');
        if (colon <= 0 || !Number(entry[(colon + 1)..], out var last))
        {
            return entry;
        }

        var before = entry.LastIndexOf(':', colon - 1);
        return before > 0 && Number(entry[(before + 1)..colon], out var xid)
            ? $"{entry[..before]} (age {XidWraparound.Count(xid)}, MultiXactId age {XidWraparound.Count(last)})"
            : $"{entry[..colon]} (age {XidWraparound.Count(last)})";

        static bool Number(string text, out long value) =>
            long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
