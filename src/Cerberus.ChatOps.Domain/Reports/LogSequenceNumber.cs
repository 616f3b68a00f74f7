using System.Globalization;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>PostgreSQL's textual LSN (<c>X/Y</c>, two hexadecimal halves of a 64-bit WAL position).</summary>
internal static class LogSequenceNumber
{
    public static bool TryParse(string? text, out ulong lsn)
    {
        lsn = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('/');
        if (parts.Length != 2
            || !uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        lsn = ((ulong)high << 32) | low;
        return true;
    }

    /// <summary><paramref name="later"/> − <paramref name="earlier"/> in bytes, like <c>pg_wal_lsn_diff</c>; null when either does not parse.</summary>
    public static long? Difference(string? later, string? earlier) =>
        TryParse(later, out var a) && TryParse(earlier, out var b) ? (long)(a - b) : null;
}
