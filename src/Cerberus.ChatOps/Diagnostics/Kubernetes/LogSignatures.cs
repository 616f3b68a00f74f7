using System.Globalization;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>
/// The known error signatures of PostgreSQL 15 and Patroni 3.0 logs, and the scanner that finds them in
/// <c>kubectl logs --timestamps</c> output. Codes are stable: classification and the report read them.
/// </summary>
internal static partial class LogSignatures
{
    public const int MaxLineLength = 400;

    public static IReadOnlyList<LogSignature> All { get; } =
    [
        new("no_space", NoSpace(), Critical: true),
        new("write_failed", WriteFailed(), Critical: true),
        new("too_many_clients", TooManyClients(), Critical: true),
        new(DiagnosisClassifier.XidStopSignature, XidStop(), Critical: true),
        new(DiagnosisClassifier.XidWarnSignature, XidWarn(), Critical: true),
        new(DiagnosisClassifier.MultixactStopSignature, MultixactStop(), Critical: true),
        new(DiagnosisClassifier.MultixactWarnSignature, MultixactWarn(), Critical: true),
        new("panic", Panic(), Critical: true),
        new("oom", OutOfMemory(), Critical: true),
        new("archive_failed", ArchiveFailed(), Critical: false),
        new("wal_removed", WalRemoved(), Critical: true),
        new("wal_stream_lost", WalStreamLost(), Critical: false),
        new("deadlock", Deadlock(), Critical: false),
        new("dcs_unreachable", DcsUnreachable(), Critical: true),
        new("lag_exceeds_failover", LagExceedsFailover(), Critical: false),
        new("promoted", Promoted(), Critical: false),
        new("demoted", Demoted(), Critical: false),
        new("rewind", Rewind(), Critical: false),
        new("fatal", Fatal(), Critical: false, Generic: true),
    ];

    /// <summary>Scans one log text (the kubelet's, with RFC 3339 timestamps) and returns the matching lines, secrets redacted.</summary>
    public static IReadOnlyList<LogMatch> Scan(string source, string log)
    {
        var matches = new List<LogMatch>();
        foreach (var raw in log.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var (timestamp, text) = SplitTimestamp(line);
            var codes = Match(text);
            if (codes.Count == 0)
            {
                continue;
            }

            var redacted = SecretRedactor.Redact(text);
            if (redacted.Length > MaxLineLength)
            {
                redacted = redacted[..(MaxLineLength - 3)] + "...";
            }

            matches.Add(new LogMatch(source, timestamp, codes, redacted));
        }

        return matches;
    }

    /// <summary>The codes one line matches: specific signatures first; the generic FATAL only when nothing specific matched.</summary>
    public static IReadOnlyList<string> Match(string text)
    {
        var specific = All.Where(s => !s.Generic && s.Pattern.IsMatch(text)).Select(s => s.Code).ToList();
        if (specific.Count > 0)
        {
            return specific;
        }

        return All.Where(s => s.Generic && s.Pattern.IsMatch(text)).Select(s => s.Code).ToList();
    }

    public static bool IsCritical(string code) => All.Any(s => s.Critical && string.Equals(s.Code, code, StringComparison.Ordinal));

    /// <summary>Splits the kubelet's leading RFC 3339 (nano) timestamp off a line.</summary>
    public static (DateTimeOffset? Timestamp, string Text) SplitTimestamp(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space < 20 || !char.IsAsciiDigit(line[0]))
        {
            return (null, line);
        }

        var token = line[..space];

        // .NET parses at most 7 fractional digits; the kubelet writes 9.
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < token.Length && char.IsAsciiDigit(token[end]))
            {
                end++;
            }

            var fraction = token[(dot + 1)..end];
            token = token[..(dot + 1)] + (fraction.Length > 7 ? fraction[..7] : fraction) + token[end..];
        }

        return DateTimeOffset.TryParse(token, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts)
            ? (ts, line[(space + 1)..])
            : (null, line);
    }

    [GeneratedRegex(@"No space left on device", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoSpace();

    [GeneratedRegex(@"could not (?:write to|extend) file", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WriteFailed();

    [GeneratedRegex(@"too many clients already|remaining connection slots are reserved", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TooManyClients();

    /// <summary>PostgreSQL 15 varsup.c at the stop limit; 16+ words it "commands that assign new transaction IDs".</summary>
    [GeneratedRegex(@"not accepting commands (?:that assign new transaction IDs )?to avoid wraparound data loss", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex XidStop();

    /// <summary>PostgreSQL 15 varsup.c past the warn limit (40,000,000 before the wrap limit), on every XID assigned.</summary>
    [GeneratedRegex(@"must be vacuumed within \d+ transactions", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex XidWarn();

    /// <summary>PostgreSQL 15 multixact.c at the MultiXactId stop limit.</summary>
    [GeneratedRegex(@"not accepting commands that generate new MultiXactIds to avoid wraparound data loss", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MultixactStop();

    /// <summary>PostgreSQL 15 multixact.c past the MultiXactId warn limit (singular and plural forms).</summary>
    [GeneratedRegex(@"must be vacuumed before \d+ more MultiXactIds? (?:is|are) used", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MultixactWarn();

    [GeneratedRegex(@"\bPANIC:", RegexOptions.CultureInvariant)]
    private static partial Regex Panic();

    [GeneratedRegex(@"out of memory|was terminated by signal 9", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfMemory();

    [GeneratedRegex(@"archive command failed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArchiveFailed();

    [GeneratedRegex(@"requested WAL segment \S+ has already been removed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WalRemoved();

    [GeneratedRegex(@"could not receive data from WAL stream", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WalStreamLost();

    [GeneratedRegex(@"deadlock detected", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Deadlock();

    [GeneratedRegex(@"DCS is not accessible", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DcsUnreachable();

    [GeneratedRegex(@"My wal position exceeds maximum replication lag", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LagExceedsFailover();

    [GeneratedRegex(@"promoted self to leader", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Promoted();

    [GeneratedRegex(@"Demoting self", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Demoted();

    [GeneratedRegex(@"running pg_rewind", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Rewind();

    [GeneratedRegex(@"\bFATAL:|terminating connection due to", RegexOptions.CultureInvariant)]
    private static partial Regex Fatal();
}
