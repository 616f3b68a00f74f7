using System.Globalization;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// The errors the diagnostics saw in the logs, deduplicated and counted. Sources, per diagnosis run:
/// <see cref="FactKeys.LogErrorSignatures"/> (a <see cref="FactList"/>, each entry optionally ending in a
/// count: <c>signature ×3</c>, <c>signature x3</c>, <c>signature=3</c> or <c>signature (3)</c>), and the
/// <see cref="ProbeResult.Details"/> lines of the log-reading probes (<c>kubernetes</c>, <c>logs</c>) that carry an
/// error signature (docs/post-incident-report.md, "Errors seen in the logs"). Timestamps and pids are stripped so equal lines merge.
/// </summary>
internal static partial class LogErrorSignatures
{
    private const int MaxSignatureLength = 240;

    public static IReadOnlyList<LogErrorRow> Collect(IEnumerable<DiagnosisReport> diagnoses)
    {
        ArgumentNullException.ThrowIfNull(diagnoses);
        var seen = new Dictionary<string, (int Count, DateTimeOffset First, int Order)>(StringComparer.Ordinal);
        foreach (var diagnosis in diagnoses.OrderBy(d => d.StartedAt))
        {
            var run = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var result in diagnosis.Results)
            {
                foreach (var entry in FactList.Split(result.Facts.GetValueOrDefault(FactKeys.LogErrorSignatures)))
                {
                    var (signature, count) = ParseEntry(entry);
                    Add(run, signature, count);
                }

                if (string.Equals(result.Probe, ProbeNames.Kubernetes, StringComparison.Ordinal))
                {
                    foreach (var line in result.Details.Where(l => ErrorLine().IsMatch(l)))
                    {
                        Add(run, line, 1);
                    }
                }
            }

            foreach (var (signature, count) in run)
            {
                seen[signature] = seen.TryGetValue(signature, out var known)
                    ? (Math.Max(known.Count, count), known.First, known.Order)
                    : (count, diagnosis.StartedAt, seen.Count);
            }
        }

        return seen.OrderBy(s => s.Value.First).ThenBy(s => s.Value.Order)
            .Select(s => new LogErrorRow(s.Key, s.Value.Count, s.Value.First))
            .ToList();
    }

    private static (string Signature, int Count) ParseEntry(string entry)
    {
        var m = CountedEntry().Match(entry);
        return m.Success && int.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (m.Groups["sig"].Value, Math.Max(1, n))
            : (entry, 1);
    }

    private static void Add(Dictionary<string, int> run, string raw, int count)
    {
        var signature = Normalize(raw);
        if (signature.Length > 0)
        {
            run[signature] = run.GetValueOrDefault(signature) + count;
        }
    }

    private static string Normalize(string raw)
    {
        var text = ReportFormat.PlainText(LogPrefix().Replace(raw.Trim(), string.Empty));
        return text.Length <= MaxSignatureLength ? text : text[..(MaxSignatureLength - 1)] + "…";
    }

    [GeneratedRegex(@"^(?<sig>.+?)\s*(?:\s[×x]\s*(?<n>\d+)|×\s*(?<n>\d+)|=\s*(?<n>\d+)|\((?<n>\d+)\))$", RegexOptions.CultureInvariant)]
    private static partial Regex CountedEntry();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s*(?:Z|[A-Z]{2,5}|[+-]\d{2}(?::?\d{2})?))?\s*(?:\[\d+\]\s*)?(?:[\w.-]*@[\w.-]*\s+)?", RegexOptions.CultureInvariant)]
    private static partial Regex LogPrefix();

    [GeneratedRegex(@"\b(?:PANIC|FATAL|ERROR)\b|No space left on device|could not write to file|too many clients already|remaining connection slots are reserved|archive command failed|has already been removed|could not receive data from WAL stream|deadlock detected|out of memory|terminating connection due to|Demoting self|does not have lock|DCS is not accessible|Loop time exceeded|exceeds maximum replication lag|Request failed to|running pg_rewind|promoted self to leader", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();
}
