using System.Text;
using Cerberus.ChatOps.Slack.Api;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Creates an incident's own channel (conversations.create) and invites the commander and the contacts that are
/// Slack users (conversations.invite). A failure leaves the incident in its thread and says why; it never blocks
/// the declaration.
/// </summary>
internal sealed partial class IncidentChannelOpener(ISlackApi? slack, IOptionsMonitor<IncidentOptions> options, ILogger<IncidentChannelOpener> logger)
{
    public bool Enabled => slack is not null && options.CurrentValue.IncidentChannels.Enabled;

    /// <summary>The new channel's id, or (null, why) when it could not be created.</summary>
    public async Task<(string? Channel, string? Problem)> OpenAsync(string incidentId, string summary, string commander, CancellationToken cancellationToken)
    {
        if (slack is null)
        {
            return (null, "Slack is not configured");
        }

        var settings = options.CurrentValue;
        var name = ChannelName(settings.IncidentChannels.Prefix, incidentId, summary);
        try
        {
            var channel = await slack.CreateConversationAsync(name, settings.IncidentChannels.Private, cancellationToken);
            var users = new[] { commander, settings.Contacts.PrimarySlack, settings.Contacts.EscalationSlack }
                .Where(u => u.Length > 1 && (u[0] == 'U' || u[0] == 'W'))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (users.Count > 0)
            {
                await slack.InviteAsync(channel, users, cancellationToken);
            }

            return (channel, null);
        }
        catch (SlackApiException ex)
        {
            Log.ChannelFailed(logger, incidentId, ex.Error);
            return (null, $"Slack answered `{ex.Error}`");
        }
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
