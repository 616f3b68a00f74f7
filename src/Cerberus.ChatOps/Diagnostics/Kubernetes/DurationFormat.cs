namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Durations for the volume probe's summaries ("3 h 05 min", "2 d"; sizes: <see cref="Domain.Text.ByteSize"/>).</summary>
internal static class DurationFormat
{
    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 48 ? $"{span.TotalDays:0} d"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : $"{Math.Max(1, (int)span.TotalMinutes)} min";
}
