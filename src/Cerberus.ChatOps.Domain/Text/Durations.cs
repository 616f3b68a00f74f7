using System.Globalization;

namespace Cerberus.ChatOps.Domain.Text;

/// <summary>
/// Durations as people read them, in one unit style everywhere the bot writes one (Slack, the CLI, the
/// post-incident document, probe and action sentences): <c>2.5 s</c>, <c>41 s</c>, <c>12 min</c>,
/// <c>12 min 30 s</c>, <c>4 h</c>, <c>1 h 07 min</c>, <c>2 d</c>, <c>3 d 05 h</c>. Two units at the most, the
/// smaller one dropped when it is zero; tenths of a second only under 10 s.
/// </summary>
public static class Durations
{
    private const long Minute = 60;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    /// <summary>Days from this much on (so a day and a half still reads <c>36 h</c>).</summary>
    private const long DaysFrom = 2 * Day;

    public static string Format(TimeSpan span) => Format(span.TotalSeconds);

    /// <summary>An optional duration, or an em dash.</summary>
    public static string Format(TimeSpan? span) => span is null ? "—" : Format(span.Value);

    public static string Format(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return "?";
        }

        var tenths = Math.Round(seconds, 1);
        if (tenths == 0)
        {
            return "0 s"; // also for -0.04: never "-0 s"
        }

        if (tenths < 0)
        {
            return "−" + Format(-seconds);
        }

        if (tenths < 10)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{tenths:0.#} s");
        }

        var whole = (long)Math.Round(seconds);
        return whole switch
        {
            < Minute => Two(whole, 1, "s", 0, null),
            < Hour => Two(whole, Minute, "min", 1, "s"),
            < DaysFrom => Two(whole, Hour, "h", Minute, "min"),
            _ => Two(whole, Day, "d", Hour, "h"),
        };
    }

    private static string Two(long seconds, long unit, string name, long smaller, string? smallerName)
    {
        var first = seconds / unit;
        var second = smaller == 0 ? 0 : seconds % unit / smaller;
        return second == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{first} {name}")
            : string.Create(CultureInfo.InvariantCulture, $"{first} {name} {second:00} {smallerName}");
    }
}
