using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;
using Npgsql;
using static Cerberus.ChatOps.Domain.Diagnostics.WraparoundFactKeys;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Transaction-ID wraparound, as a DBA checks it: age(datfrozenxid) of every database against the threshold
/// (autovacuum_freeze_max_age, or <see cref="PostgresOptions.WraparoundWarnAge"/>) and PostgreSQL 15's limits
/// (<see cref="XidWraparound"/>), the oldest tables of the connected database, and what holds the xmin horizon
/// (sessions, prepared transactions, slots) at least as far back as the threshold; the same for MultiXactIds
/// (mxid_age(datminmxid) against autovacuum_multixact_freeze_max_age, relminmxid per table). Over a threshold, or a
/// holder: WARN; VACUUM's failsafe age, the warn or the stop limit (of either counter): CRIT.
/// </summary>
internal sealed class WraparoundProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time)
    : PostgresProbe(connections, primary, time)
{
    /// <summary>How many of the oldest tables are listed (and offered to VACUUM (FREEZE)).</summary>
    public const int TableCount = 5;

    public override string Name => ProbeNames.Wraparound;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var settings = await XidHorizonReader.SettingsAsync(connection, cancellationToken);
        var threshold = Options.WraparoundWarnAge > 0 ? Options.WraparoundWarnAge : settings.FreezeMaxAge;
        var databases = await XidHorizonReader.DatabasesAsync(connection, cancellationToken);
        var (oldest, age) = databases.Count > 0 ? (databases[0].Name, databases[0].Age) : ("(none)", 0L);
        var stage = XidWraparound.Stage(age, threshold, settings.FailsafeAge);
        var (mxOldest, mxAge) = databases.Count > 0 ? databases.OrderByDescending(d => d.MultixactAge).Select(d => (d.Name, d.MultixactAge)).First() : ("(none)", 0L);
        var mxStage = XidWraparound.Stage(mxAge, settings.MultixactFreezeMaxAge, settings.MultixactFailsafeAge);
        findings.Fact(MaxAge, age);
        findings.Fact(OldestDatabase, oldest);
        findings.Fact(Database, settings.Database);
        findings.Fact(Threshold, threshold);
        findings.Fact(Stage, XidWraparound.Worse(stage, mxStage));
        findings.Fact(MultixactMaxAge, mxAge);
        findings.Fact(MultixactOldestDatabase, mxOldest);
        findings.Fact(MultixactThreshold, settings.MultixactFreezeMaxAge);
        findings.Fact(MultixactStage, mxStage);
        var thresholdText = $"{XidWraparound.Count(threshold)} ({(Options.WraparoundWarnAge > 0 ? "Cerberus:Postgres:WraparoundWarnAge" : "autovacuum_freeze_max_age")})";
        findings.Detail("databases by age(datfrozenxid): " + string.Join(", ", databases.Take(TableCount).Select(d => $"{d.Name} {XidWraparound.Count(d.Age)}")) +
                        $"; threshold {thresholdText}, vacuum_failsafe_age {XidWraparound.Count(settings.FailsafeAge)}, PostgreSQL 15 warns from {XidWraparound.Count(XidWraparound.WarnAge)} and stops assigning XIDs at {XidWraparound.Count(XidWraparound.StopAge)}");
        var left = XidWraparound.LeftBeforeStop(age);
        switch (stage)
        {
            case "stop_limit":
                findings.Problem(ProbeStatus.Crit, $"database {oldest} is {XidWraparound.Count(age)} transactions old: past the stop limit, the server refuses every command that assigns a transaction ID");
                break;
            case "warn_limit":
                findings.Problem(ProbeStatus.Crit, $"database {oldest} is {XidWraparound.Count(age)} transactions old: {XidWraparound.Count(left)} left before the server stops assigning transaction IDs (it logs \"must be vacuumed within\")");
                break;
            case "failsafe":
                findings.Problem(ProbeStatus.Crit, $"database {oldest} is {XidWraparound.Count(age)} transactions old, past vacuum_failsafe_age {XidWraparound.Count(settings.FailsafeAge)}: {XidWraparound.Count(left)} left before the stop limit");
                break;
            case "over_threshold":
                findings.Problem(ProbeStatus.Warn, $"database {oldest} is {XidWraparound.Count(age)} transactions old, over the threshold {thresholdText}: {XidWraparound.Count(left)} left before the stop limit");
                break;
        }

        findings.Detail($"databases by mxid_age(datminmxid): " + string.Join(", ", databases.OrderByDescending(d => d.MultixactAge).Take(TableCount).Select(d => $"{d.Name} {XidWraparound.Count(d.MultixactAge)}")) +
                        $"; autovacuum_multixact_freeze_max_age {XidWraparound.Count(settings.MultixactFreezeMaxAge)}, vacuum_multixact_failsafe_age {XidWraparound.Count(settings.MultixactFailsafeAge)}, the same warn and stop limits");
        var mxLeft = XidWraparound.LeftBeforeStop(mxAge);
        switch (mxStage)
        {
            case "stop_limit":
                findings.Problem(ProbeStatus.Crit, $"database {mxOldest} is {XidWraparound.Count(mxAge)} MultiXactIds old: past the stop limit, the server refuses every command that needs a new MultiXactId (row locks shared by several transactions, foreign-key checks)");
                break;
            case "warn_limit":
                findings.Problem(ProbeStatus.Crit, $"database {mxOldest} is {XidWraparound.Count(mxAge)} MultiXactIds old: {XidWraparound.Count(mxLeft)} left before the server stops assigning them (it logs \"must be vacuumed before N more MultiXactIds are used\")");
                break;
            case "failsafe":
                findings.Problem(ProbeStatus.Crit, $"database {mxOldest} is {XidWraparound.Count(mxAge)} MultiXactIds old, past vacuum_multixact_failsafe_age {XidWraparound.Count(settings.MultixactFailsafeAge)}: {XidWraparound.Count(mxLeft)} left before the stop limit");
                break;
            case "over_threshold":
                findings.Problem(ProbeStatus.Warn, $"database {mxOldest} is {XidWraparound.Count(mxAge)} MultiXactIds old, over autovacuum_multixact_freeze_max_age {XidWraparound.Count(settings.MultixactFreezeMaxAge)}: {XidWraparound.Count(mxLeft)} left before the stop limit");
                break;
        }

        var tables = await XidHorizonReader.OldestTablesAsync(connection, TableCount, threshold, settings.MultixactFreezeMaxAge, cancellationToken);
        foreach (var table in tables)
        {
            findings.Detail($"{settings.Database}.{table.Text}: age(relfrozenxid) {XidWraparound.Count(table.Age)}, mxid_age(relminmxid) {XidWraparound.Count(table.MultixactAge)}, about {ByteSize.Format(table.Bytes)} by pg_class" +
                            (table.Temporary ? " (temporary: only its own session can vacuum it)" : string.Empty) +
                            (table.MayVacuum ? string.Empty : " (the diagnostics role does not own it)"));
        }

        var old = tables.Where(t => t.Over(threshold, settings.MultixactFreezeMaxAge) && !t.Temporary).ToList();
        findings.Fact(OldTables, FactList.Join(old.Select(t => FormattableString.Invariant($"{t.Text}:{t.Age}:{t.MultixactAge}"))));
        if (tables.FirstOrDefault(t => t.Temporary && t.Over(threshold, settings.MultixactFreezeMaxAge)) is { } temp)
        {
            findings.Problem(ProbeStatus.Warn, $"temporary table {temp.Text} is {XidWraparound.Count(temp.Age)} transactions old: only the session that created it can vacuum it, ending that session drops it");
        }

        var holders = await XidHorizonReader.HoldersAsync(connection, threshold, cancellationToken);
        findings.Fact(Holders, holders.Count);
        findings.Fact(InactiveSlots, await XidHorizonReader.InactiveSlotsAsync(connection, cancellationToken));
        foreach (var holder in holders.Take(3))
        {
            findings.Detail($"holds the xmin horizon: {holder.Text}, {XidWraparound.Count(holder.Age)} transactions back");
        }

        if (holders.Count > 0)
        {
            var first = holders[0];
            findings.Fact(Holder, $"{first.Text}, {XidWraparound.Count(first.Age)} transactions back");
            findings.Fact(HolderKind, first.Kind);
            findings.Fact(HolderName, first.Name);
            findings.Fact(HolderSlotInactive, first.Kind == "slot" && !first.Active);
            findings.Problem(ProbeStatus.Warn, $"{first.Text} holds the xmin horizon {XidWraparound.Count(first.Age)} transactions back (at least the threshold): no VACUUM can freeze past it");
        }

        return $"oldest database {oldest} {XidWraparound.Count(age)} transactions old (threshold {XidWraparound.Count(threshold)}; {XidWraparound.Count(left)} left before PostgreSQL 15's stop limit)" +
               (mxStage != "ok" ? $"; {mxOldest} {XidWraparound.Count(mxAge)} MultiXactIds old (threshold {XidWraparound.Count(settings.MultixactFreezeMaxAge)})" : string.Empty);
    }
}
