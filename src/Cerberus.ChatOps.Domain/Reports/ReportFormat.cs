using System.Globalization;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// How the post-incident document writes times, bytes and people (durations: <see cref="Durations"/>), shared by the Markdown and the
/// Block Kit renderers so both say the same thing.
/// </summary>
public static partial class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>UTC, ISO-like: <c>2026-03-14 02:10:00 UTC</c>.</summary>
    public static string Time(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";

    /// <summary>An optional time, or an em dash.</summary>
    public static string Time(DateTimeOffset? at) => at is null ? "—" : Time(at.Value);

    /// <summary>Exact bytes and the readable form: <c>20,643,840 B (19.7 MiB)</c>.</summary>
    public static string BytesExact(long bytes) =>
        Math.Abs(bytes) < 1024
            ? string.Create(Invariant, $"{bytes} B")
            : string.Create(Invariant, $"{bytes:N0} B ({ByteSize.Format(bytes)})");

    /// <summary>An actor in the Markdown document: <c>@U0123ABC</c> for a Slack user, <c>cerberus</c> for the bot.</summary>
    public static string MarkdownActor(string? actor) =>
        string.IsNullOrWhiteSpace(actor) ? "—"
        : IsSlackUser(actor) ? "@" + actor
        : actor;

    /// <summary>True for a Slack user id (U…/W…), which Block Kit shows as a mention.</summary>
    public static bool IsSlackUser(string actor) => SlackUserId().IsMatch(actor);

    /// <summary>
    /// Free text for the document: secrets redacted, on one line. What people typed arrives with Slack's own escapes
    /// for mentions (<c>&lt;@U1|ann&gt;</c>, <c>&lt;#C1|name&gt;</c>); they read as <c>@U1</c> / <c>#name</c>. The domain's
    /// own text carries no markup (its replies are worded in <c>Incidents/Rendering</c>).
    /// </summary>
    public static string PlainText(string? text)
    {
        var redacted = SecretRedactor.Redact(text);
        redacted = UserMention().Replace(redacted, "@${id}");
        redacted = ChannelMention().Replace(redacted, m => "#" + (m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["id"].Value));
        return LineBreaks().Replace(redacted, " ").Trim();
    }

    /// <summary>Parses an invariant integer figure.</summary>
    public static long? ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.Integer, Invariant, out var n) ? n
        : double.TryParse(value, NumberStyles.Float, Invariant, out var d) && !double.IsNaN(d) && Math.Abs(d) < long.MaxValue ? (long)Math.Round(d)
        : null;

    /// <summary>Parses an invariant decimal figure.</summary>
    public static double? ParseDouble(string? value) =>
        double.TryParse(value, NumberStyles.Float, Invariant, out var d) && !double.IsNaN(d) && !double.IsInfinity(d) ? d : null;

    /// <summary>The runbook severity as it writes it: CRITICAL, MAJOR, MINOR.</summary>
    public static string Severity(Severity severity) => severity.ToString().ToUpperInvariant();

    [GeneratedRegex(@"^[UW][A-Z0-9]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlackUserId();

    [GeneratedRegex(@"<@(?<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>", RegexOptions.CultureInvariant)]
    private static partial Regex UserMention();

    [GeneratedRegex(@"<#(?<id>C[A-Z0-9]+)(?:\|(?<name>[^>]+))?>", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelMention();

    [GeneratedRegex(@"\s*[\r\n]+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex LineBreaks();
}
