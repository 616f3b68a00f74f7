using System.Globalization;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// A table the post-promotion ANALYZE offers, with what ranked it: its size from <c>pg_class.relpages</c> (a
/// catalog column, replicated, so right on a new primary) and its scans on this server (seq_scan + idx_scan), and
/// the counters a promotion leaves at zero (n_live_tup, n_mod_since_analyze) with the analyze count to verify against.
/// </summary>
internal sealed record AnalyzeTable(
    uint Oid,
    string Name,
    long Bytes,
    double EstimatedRows,
    long Scans,
    long LiveTuples,
    long ModifiedSinceAnalyze,
    long AnalyzeCount,
    DateTime? LastAnalyze,
    bool MayAnalyze)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} ({ByteSize.Format(Bytes)}, ≈ {EstimatedRows:0} rows by pg_class.reltuples, {Scans} scans here; n_live_tup {LiveTuples}, n_mod_since_analyze {ModifiedSinceAnalyze}, analyze_count {AnalyzeCount}, last_analyze {(LastAnalyze is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "never")})");

    /// <summary>The stored form: <c>oid:analyze_count</c>.</summary>
    public string Stored => string.Create(CultureInfo.InvariantCulture, $"{Oid}:{AnalyzeCount}");

    public static IReadOnlyList<(uint Oid, long AnalyzeCount)>? ParseStored(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var list = new List<(uint, long)>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var oid)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return null;
            }

            list.Add((oid, count));
        }

        return list.Count == 0 ? null : list;
    }
}
