using System.Globalization;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// What a live drill measured: the fault it injected into the staging cluster, when, when recovery was verified
/// (and by what), and what its writer saw — every commit the primary acknowledged, how many of those rows the
/// primary had after recovery, and each lost one by sequence number and LSN. Kept in the incident's JSON document
/// (no column): a live drill is an ordinary incident (not <see cref="Incident.Drill"/>) whose summary starts with
/// <see cref="SummaryPrefix"/>.
/// </summary>
/// <param name="Scenario">The scenario's name (slot-fill).</param>
/// <param name="Fault">What was injected, one line (the slot, the WAL it retained).</param>
/// <param name="InjectedAt">When the fault was in place (UTC): the start of the time to recovery.</param>
/// <param name="RecoveredAt">When recovery was verified (UTC); null when it was not within the drill's limit.</param>
/// <param name="RecoveredBy">What ended it: the verified action, or the incident's resolution, or why it did not end.</param>
/// <param name="Acknowledged">Commits the primary acknowledged to the writer.</param>
/// <param name="Survived">Of those, rows found on the primary after recovery; null when the table could not be read.</param>
/// <param name="Lost">Each acknowledged row not found after recovery.</param>
/// <param name="Failed">Writes that got an error or no answer (not acknowledged, so not counted as lost).</param>
/// <param name="Problem">Why a figure is unknown (the read-back failed), or null.</param>
public sealed record LiveDrillResult(
    string Scenario,
    string Fault,
    DateTimeOffset InjectedAt,
    DateTimeOffset? RecoveredAt,
    string RecoveredBy,
    long Acknowledged,
    long? Survived,
    IReadOnlyList<LostWrite> Lost,
    long Failed,
    string? Problem = null)
{
    /// <summary>The summary of a live drill incident starts with this (then the scenario's name).</summary>
    public const string SummaryPrefix = "LIVE DRILL ";

    public static bool IsLiveDrill(string? summary) => (summary ?? string.Empty).StartsWith(SummaryPrefix, StringComparison.Ordinal);

    /// <summary>Injection → verified recovery; null when it did not recover within the drill.</summary>
    public TimeSpan? TimeToRecovery => RecoveredAt is { } r ? r - InjectedAt : null;

    /// <summary>The time to recovery against the RTO (4 h); null when it did not recover.</summary>
    public RecoveryTimeVerdict? Verdict => TimeToRecovery is { } t ? RecoveryTimeVerdict.Of(t, Incident.RecoveryTimeObjective) : null;

    /// <summary>
    /// One line: "live drill slot-fill: time to recovery 14 s, RTO 4 h met, …; acknowledged writes 120, survived 120, lost 0".
    /// Unknown figures say unknown.
    /// </summary>
    public string Line()
    {
        var recovery = Verdict is { } v
            ? $"time to recovery {Durations.Format(v.TimeToRecovery)}, {v.Sentence}"
            : $"not recovered ({RecoveredBy}), RTO {Durations.Format(Incident.RecoveryTimeObjective)}";
        var survived = Survived is { } s ? s.ToString(CultureInfo.InvariantCulture) : "unknown";
        var lost = Survived is null ? "unknown" : Lost.Count.ToString(CultureInfo.InvariantCulture);
        return $"live drill {Scenario}: {recovery}; acknowledged writes {Acknowledged.ToString(CultureInfo.InvariantCulture)}, survived {survived}, lost {lost}";
    }

    /// <summary>The lost writes, named: "#17 at 0/3000148, #18 at 0/30001F0" (at most <paramref name="max"/>).</summary>
    public string LostNames(int max = 20) =>
        string.Join(", ", Lost.Take(max).Select(l => $"#{l.Sequence.ToString(CultureInfo.InvariantCulture)} at {l.Lsn}"))
        + (Lost.Count > max ? $" and {(Lost.Count - max).ToString(CultureInfo.InvariantCulture)} more" : string.Empty);
}

/// <summary>An acknowledged write the primary no longer had after recovery.</summary>
/// <param name="Sequence">The writer's sequence number.</param>
/// <param name="Lsn">pg_current_wal_insert_lsn() read in the INSERT's RETURNING clause (see the writer).</param>
public sealed record LostWrite(long Sequence, string Lsn);
