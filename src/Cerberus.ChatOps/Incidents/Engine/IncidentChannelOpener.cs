using System.Text;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// An incident's own channel. A declaration only asks for it (<see cref="Request"/>: the name, and the commander and
/// the contacts that are Slack users to invite); the outbox opens it (<see cref="OutboxKinds.OpenChannel"/>), so a
/// slow or rate-limited Slack never holds a declaration up, and hands the outcome back here: the incident moves to
/// its channel, or stays in the declaring channel's thread and says why.
/// </summary>
internal sealed partial class IncidentChannelOpener(
    ISlackApi? slack,
    IncidentMutator mutator,
    IOptionsMonitor<IncidentOptions> options,
    ILogger<IncidentChannelOpener> logger) : IIncidentChannelRecorder
{
    /// <summary>Incident channels are on and there is a Slack to open them in.</summary>
    public bool Enabled => slack is not null && options.CurrentValue.IncidentChannels.Enabled;

    /// <summary>The channel to open for a new incident.</summary>
    public SlackNewChannel Request(string incidentId, string summary, string commander)
    {
        var settings = options.CurrentValue;
        var users = new[] { commander, settings.Contacts.PrimarySlack, settings.Contacts.EscalationSlack }
            .Where(ReportFormat.IsSlackUser)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new SlackNewChannel(ChannelName(settings.IncidentChannels.Prefix, incidentId, summary), settings.IncidentChannels.Private, users);
    }

    public async Task<IncidentPlacement?> RecordAsync(string incidentId, string declaringChannel, string? channel, string? error, CancellationToken cancellationToken)
    {
        var settled = false;
        SlackMessage? header = null;
        var outcome = await mutator.MutateAsync(incidentId, (incident, _, now) =>
        {
            settled = incident.SettleChannel(channel, channel is null
                ? $"could not open an incident channel (Slack answered `{error}`); working in this thread"
                : $"incident channel #{channel} created; the commander and the contacts were invited", now);
            header = IncidentMessages.Header(incident, options.CurrentValue.Contacts, now);
            return DomainResult.Ok();
        }, cancellationToken);
        if (outcome.Incident is not { } placed || header is null)
        {
            return null;
        }

        if (settled && channel is null)
        {
            Log.ChannelFailed(logger, incidentId, error ?? "unknown");
        }

        var pointer = string.Equals(placed.Channel, declaringChannel, StringComparison.Ordinal)
            ? null
            : IncidentMessages.Text($"{IncidentMessages.Tag(placed)}:rotating_light: *{placed.Id}* declared by {Format.User(placed.DeclaredBy)}: {Format.Safe(placed.Summary)}. The incident is worked in <#{placed.Channel}>.");
        return new IncidentPlacement(placed.Channel, header, pointer);
    }

    /// <summary>Slack's rules: lower case letters, digits, '-' and '_', at most 80 characters.</summary>
    internal static string ChannelName(string prefix, string incidentId, string summary)
    {
        var builder = new StringBuilder();
        var id = incidentId.StartsWith("INC-", StringComparison.OrdinalIgnoreCase) && prefix.Length > 0 ? incidentId[4..] : incidentId;
        foreach (var c in $"{prefix}-{id}-{summary}".ToLowerInvariant())
        {
            var mapped = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '-';
            if (mapped != '-' || (builder.Length > 0 && builder[^1] != '-'))
            {
                builder.Append(mapped);
            }
        }

        var name = builder.ToString().Trim('-');
        return name.Length <= 80 ? name : name[..80].TrimEnd('-');
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not open its channel ({Error}); it stays in a thread")]
        public static partial void ChannelFailed(ILogger logger, string incidentId, string error);
    }
}
