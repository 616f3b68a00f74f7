using System.Globalization;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>pg_lsn text (e.g. 0/3400000) for the byte positions Patroni reports as integers.</summary>
internal static class PgLsn
{
    public static string Format(long lsn) =>
        string.Create(CultureInfo.InvariantCulture, $"{(ulong)lsn >> 32:X}/{(ulong)lsn & 0xFFFFFFFF:X}");

    /// <summary>Human-readable bytes: 29 MB, 512 kB, 0 B (binary units, as PostgreSQL's pg_size_pretty).</summary>
    public static string Bytes(long bytes)
    {
        var abs = Math.Abs(bytes);
        return abs switch
        {
            >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GB"),
            >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MB"),
            >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.#} kB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        };
    }

    public static string Duration(double seconds) => seconds switch
    {
        >= 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
        >= 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s"),
    };
}
