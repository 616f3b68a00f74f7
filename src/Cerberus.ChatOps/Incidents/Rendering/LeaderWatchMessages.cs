using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Rendering;

/// <summary>The leader watch in the thread (one message per event) and in the header (one line).</summary>
internal static class LeaderWatchMessages
{
    public static SlackMessage Event(Incident incident, LeaderWatchEvent e) => IncidentMessages.Text(EventText(incident, e));

    public static string EventText(Incident incident, LeaderWatchEvent e)
    {
        var fence = $"`/dbincident propose {ActionRequestParser.CommandName(Domain.Actions.RemediationKind.FenceOldLeader)} {e.Member}`";
        return e.Kind switch
        {
            LeaderWatchEventKind.LeaderChanged =>
                $":eyes: {IncidentMessages.Tag(incident)}Leader watch: {Format.Safe(e.Text)}.",
            LeaderWatchEventKind.FlipBack =>
                $":rotating_light: {IncidentMessages.Tag(incident)}*Leader FLIP-BACK* in {incident.Id}: {Format.Safe(e.Text)}. " +
                $"Check which writes the promoted member took that {Format.Safe(e.Leader)} lacks, and do not fail over again until it is clear who should lead. {Format.Safe(PatroniVersions.StalePrimaryBug(e.PatroniVersion))}",
            LeaderWatchEventKind.StalePrimary =>
                $":rotating_light: {IncidentMessages.Tag(incident)}*STALE PRIMARY* in {incident.Id}: {Format.Safe(e.Text)}. " +
                $"Fence {Format.Safe(e.Member)} now: {fence} (deletes its pod with a short grace period; outside Kubernetes the card says what to run on its host). {Format.Safe(PatroniVersions.StalePrimaryBug(e.PatroniVersion))}",
            LeaderWatchEventKind.Rejoined =>
                $":white_check_mark: {IncidentMessages.Tag(incident)}Leader watch: {Format.Safe(e.Text)}; still watching.",
            _ => Format.Safe(e.Text),
        };
    }

    /// <summary>The header's line, or null while the watch has not started.</summary>
    public static string? HeaderLine(Incident incident)
    {
        if (incident.LeaderWatch is not { StartedAt: { } started } watch)
        {
            return null;
        }

        var former = watch.FormerLeaders.Count == 0 ? "none" : string.Join(", ", watch.FormerLeaders);
        var head = $"*Leader watch* (since {Format.Clock(started)}): {Format.Safe(watch.Leader ?? "no leader")} holds the key (timeline {watch.Timeline?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}); former leaders: {Format.Safe(former)}.";
        if (watch.LastAlarm is not { } alarm)
        {
            return $"{head} No flip-back and no stale primary so far.";
        }

        var kind = alarm.Kind == LeaderWatchEventKind.FlipBack ? "FLIP-BACK" : "STALE PRIMARY";
        return Resolved(watch, alarm)
            ? $"{head}\n:white_check_mark: {Format.Clock(alarm.At)} {kind} ({Format.Safe(alarm.Member)}), since resolved: {Format.Safe(alarm.Member)} is back as a replica."
            : $"{head}\n:rotating_light: {Format.Clock(alarm.At)} {kind}: {Format.Safe(alarm.Text)}";
    }

    /// <summary>The member of the last alarm is back as a replica since (and no alarm came after).</summary>
    private static bool Resolved(LeaderWatch watch, LeaderWatchEvent alarm) =>
        watch.Events.SkipWhile(e => !ReferenceEquals(e, alarm)).Any(e => e.Kind == LeaderWatchEventKind.Rejoined && string.Equals(e.Member, alarm.Member, StringComparison.Ordinal));
}
