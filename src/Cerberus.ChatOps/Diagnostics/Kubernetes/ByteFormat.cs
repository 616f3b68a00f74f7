using System.Globalization;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Human-readable sizes (binary units) and durations for probe summaries.</summary>
internal static class ByteFormat
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Bytes(double bytes)
    {
        var value = Math.Abs(bytes);
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return (bytes < 0 ? "-" : string.Empty) + value.ToString(unit == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 48 ? $"{span.TotalDays:0} d"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : $"{Math.Max(1, (int)span.TotalMinutes)} min";
}
