using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Slack.BlockKit;

namespace Cerberus.ChatOps.Incidents.Rendering;

/// <summary>Small formatting helpers shared by the incident messages.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string User(string actor) =>
        ReportFormat.IsSlackUser(actor) ? $"<@{actor}>" : SlackText.Escape(actor);

    /// <summary>Text from the database, a user or a probe: secrets removed, then escaped for mrkdwn.</summary>
    public static string Safe(string? text) => SlackText.Escape(SecretRedactor.Redact(text));

    public static string Icon(ProbeStatus status) => status switch
    {
        ProbeStatus.Ok => ":large_green_circle:",
        ProbeStatus.Warn => ":large_yellow_circle:",
        ProbeStatus.Crit => ":red_circle:",
        _ => ":white_circle:",
    };

    public static string Label(ProbeStatus status) => status switch
    {
        ProbeStatus.Ok => "OK",
        ProbeStatus.Warn => "WARN",
        ProbeStatus.Crit => "CRIT",
        _ => "UNKNOWN",
    };
}
